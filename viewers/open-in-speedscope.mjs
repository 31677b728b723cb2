// Opens files in speedscope itself (the npm package's dist/release, served
// from 127.0.0.1) in Debian's Chromium, as a user would with
// index.html#profileURL=..., and reports whether speedscope imported each:
// its page title becomes "<file name> - speedscope"; on a file it cannot
// read it stays "speedscope" and shows its error page.
// Usage: node open-in-speedscope.mjs FILE...   exit 0: all imported; 1: not
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const release = dirname(require.resolve('speedscope/dist/release/index.html'));
const files = process.argv.slice(2);

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file;
  if (path.startsWith('/files/')) file = files[Number(path.split('/')[2])];
  else file = join(release, normalize(path === '/' ? '/index.html' : path));
  if (!file || !existsSync(file)) { res.writeHead(404); res.end(); return; }
  const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript'
    : file.endsWith('.css') ? 'text/css' : file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
  res.writeHead(200, { 'content-type': type });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const port = server.address().port;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-sync', '--disable-quic'],
});
let failed = 0;
try {
  for (let i = 0; i < files.length; i++) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // the file name in the URL is what speedscope shows as the profile's name
    const url = `http://127.0.0.1:${port}/files/${i}/${encodeURIComponent(basename(files[i]))}`;
    const started = Date.now();
    await page.goto(`http://127.0.0.1:${port}/index.html#profileURL=${encodeURIComponent(url)}`);
    let title = '';
    try {
      await page.waitForFunction(() => / - speedscope$/.test(document.title), null, { timeout: 15000 });
      title = await page.title();
    } catch {
      title = await page.title();
    }
    const ms = Date.now() - started;
    if (/ - speedscope$/.test(title)) {
      console.log(`${files[i]}: imported in ${ms} ms, title "${title}"`);
    } else {
      failed++;
      const body = (await page.locator('body').innerText()).slice(0, 200).replace(/\s+/g, ' ');
      console.log(`${files[i]}: NOT imported (title "${title}"; page: ${body}; errors: ${errors.join(' | ')})`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
