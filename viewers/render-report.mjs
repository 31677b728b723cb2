// Renders an HTML report of profiler-convert in Debian's Chromium, from
// file:// with every network request refused, and prints what it found as
// JSON: console errors and page errors, frames drawn in the flame graph,
// stall rectangles and rows in the stall timeline, lock table rows, and the
// share of samples a search matched; saves a screenshot.
// Usage: node render-report.mjs REPORT.html SCREENSHOT.png [SEARCH]
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [report, screenshot, search] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-sync', '--disable-quic'],
});
const result = { errors: [], requests: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
  page.on('pageerror', (e) => result.errors.push(String(e)));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    result.requests.push(url); // a self-contained page asks for nothing
    return route.abort();
  });
  await page.goto(pathToFileURL(report).href);
  await page.waitForFunction(() => document.getElementById('flame').dataset.framesDrawn !== undefined);
  Object.assign(result, await page.evaluate(() => ({
    title: document.title,
    framesDrawn: Number(document.getElementById('flame').dataset.framesDrawn),
    stallRects: document.querySelectorAll('#timeline rect.stall').length,
    timelineRows: Number(document.getElementById('timeline').dataset.rows),
    stallTableRows: document.querySelectorAll('#stall-table tbody tr').length,
    lockTableRows: document.querySelectorAll('#lock-table tbody tr').length,
  })));
  if (search) {
    await page.fill('#search', search);
    result.searchMatchedSamples = Number(await page.evaluate(() => document.getElementById('flame').dataset.matchedSamples));
    // zoom into the first frame the search matched, as a click does
    const at = await page.evaluate(() => document.getElementById('flame').dataset.firstMatch);
    if (at) {
      const [x, y] = at.split(',').map(Number);
      const r = await page.evaluate(() => { const b = document.getElementById('flame').getBoundingClientRect(); return { left: b.left, top: b.top }; });
      await page.mouse.click(r.left + x, r.top + y);
      result.zoomedInto = await page.evaluate(() => document.getElementById('flame').dataset.zoomed);
      result.framesAfterZoom = Number(await page.evaluate(() => document.getElementById('flame').dataset.framesDrawn));
    }
  }
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
