package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conversions open in the viewers people use: a capture recorded here
 * (a hot loop and a mutex convoy, with off-CPU stacks and futex waits)
 * converted to speedscope, collapsed stacks and pprof; the speedscope file
 * valid against the schema speedscope ships; and speedscope itself (npm
 * speedscope 1.25.0 in Debian's Chromium, viewers/open-in-speedscope.mjs)
 * importing every one of them, and refusing a broken file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ViewersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    Path capture;

    @BeforeAll
    void record() throws Exception {
        Tools.requireBpf();
        Path hot = Tools.buildWorkload("hot_loop", tmp), convoy = Tools.buildWorkload("mutex_convoy", tmp);
        capture = tmp.resolve("viewers.cap");
        Tools.Result r = Tools.tool("profiler-rec", "--all", "-F", "499", "-o", capture.toString(), "--", "sh", "-c",
            hot + " 1.5 & " + convoy + " > /dev/null; wait");
        assertEquals(0, r.exit(), r.toString());
    }

    Path convert(String to, String what, String name) throws Exception {
        Path out = tmp.resolve(name);
        Tools.Result r = Tools.tool("profiler-convert", capture.toString(), "--to", to, "--what", what, "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        return out;
    }

    @Test
    void speedscopeFileIsValidAgainstSpeedscopesSchemaAndHoldsEverySample() throws Exception {
        Path file = convert("speedscope", "cpu", "hot.speedscope.json");
        Tools.Result v = node("validate-speedscope.mjs", file.toString());
        assertEquals(0, v.exit(), v.toString());

        JsonNode doc = JSON.readTree(file.toFile());
        long weights = 0;
        List<String> names = new ArrayList<>();
        for (JsonNode p : doc.get("profiles")) {
            names.add(p.get("name").asText());
            assertEquals(p.get("samples").size(), p.get("weights").size());
            long sum = 0;
            for (JsonNode w : p.get("weights")) sum += w.asLong();
            assertEquals(p.get("endValue").asLong() - p.get("startValue").asLong(), sum, p.get("name").asText());
            weights += sum;
        }
        long sql = Tools.scalar(capture, "SELECT sum(weight) FROM samples WHERE pid <> 0");
        assertEquals(sql, weights, "every non-idle sample's weight");
        assertTrue(names.stream().anyMatch(n -> n.startsWith("hot_loop (tid ")), names.toString());

        Path broken = tmp.resolve("broken.speedscope.json");
        Files.writeString(broken, Files.readString(file).replace("\"sampled\"", "\"sideways\""));
        assertEquals(1, node("validate-speedscope.mjs", broken.toString()).exit(), "the schema catches a bad profile type");
    }

    @Test
    void speedscopeItselfImportsEachFormatAndRefusesGarbage() throws Exception {
        List<String> files = List.of(convert("speedscope", "cpu", "hot.speedscope.json").toString(),
            convert("collapsed", "cpu", "hot.folded").toString(),
            convert("pprof", "cpu", "hot.pb.gz").toString(),
            convert("pprof", "locks", "locks.pb.gz").toString(),
            convert("collapsed", "offcpu", "offcpu.folded").toString(),
            convert("chrome", "cpu", "trace.json").toString());
        List<String> args = new ArrayList<>(List.of("open-in-speedscope.mjs"));
        args.addAll(files);
        Tools.Result r = node(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        for (String f : files) {
            String name = Path.of(f).getFileName().toString();
            assertTrue(r.stdout().contains(f + ": imported in "), r.toString());
            if (!name.endsWith(".speedscope.json")) assertTrue(r.stdout().contains("\"" + name + " - speedscope\""), r.toString());
        }

        Path garbage = tmp.resolve("garbage.json");
        Files.writeString(garbage, "{\"not\": \"a profile\"");
        Tools.Result bad = node("open-in-speedscope.mjs", garbage.toString());
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.stdout().contains("NOT imported"), bad.toString());
    }

    @Test
    void chromeTraceNamesTheThreadsAndKeepsEachTracksSlicesApart() throws Exception {
        JsonNode trace = JSON.readTree(convert("chrome", "cpu", "trace.json").toFile());
        List<String> threads = new ArrayList<>();
        Map<String, Double> lastEnd = new HashMap<>();
        long slices = 0;
        for (JsonNode e : trace.get("traceEvents")) {
            if (e.get("ph").asText().equals("M")) {
                if (e.get("name").asText().equals("thread_name")) threads.add(e.get("args").get("name").asText());
                continue;
            }
            String track = e.get("pid").asLong() + "/" + e.get("tid").asLong();
            double ts = e.get("ts").asDouble(), end = ts + e.get("dur").asDouble();
            Double prev = lastEnd.put(track, end);
            assertTrue(prev == null || prev <= ts + 1e-3, "overlap on " + track + " at " + ts);
            slices++;
        }
        assertTrue(threads.stream().anyMatch(t -> t.startsWith("hot_loop ")), threads.toString());
        assertTrue(slices > 100, slices + " slices");
        assertEquals(Tools.scalar(capture, "SELECT count(*) FROM samples"), trace.get("samples").size());
    }

    @Test
    void htmlReportDrawsItsFlameGraphStallsAndLocksWithNoErrorAndNoNetwork() throws Exception {
        Path html = tmp.resolve("report.html");
        Tools.Result c = Tools.tool("profiler-convert", capture.toString(), "--to", "html", "--threshold", "5", "-o", html.toString());
        assertEquals(0, c.exit(), c.toString());
        // the screenshot is kept as a test artifact
        Path shot = Tools.HOME.resolve("e2e/target/html-report.png");
        Tools.Result r = node("render-report.mjs", html.toString(), shot.toString(), "hot_function");
        assertEquals(0, r.exit(), r.toString());
        JsonNode page = JSON.readTree(r.stdout());
        assertEquals(0, page.get("errors").size(), page.toString());
        assertEquals(0, page.get("requests").size(), "a self-contained page asks for nothing: " + page);
        assertTrue(page.get("framesDrawn").asInt() > 5, page.toString());

        long stalls = Tools.scalar(capture, "SELECT count(*) FROM stalls(threshold_ns := 5000000)");
        // sh waited for its jobs in sigsuspend for over a second, and for the
        // exec of each vfork child: neither wait is a stall
        String shWaits = "SELECT stack_id FROM offcpu JOIN threads USING (tid) WHERE threads.name = 'sh' AND dur_ns > 5000000"
            + " AND stack_id IN (SELECT stack_id FROM stack_frames WHERE name IN ('__x64_sys_rt_sigsuspend', '__do_sys_vfork'))";
        assertTrue(Tools.scalar(capture, "SELECT count(*) FROM (" + shWaits + ")") > 0, "sh waited for its jobs");
        assertEquals(0, Tools.scalar(capture, "SELECT count(*) FROM stalls(threshold_ns := 5000000) WHERE thread = 'sh'"
            + " AND stack_id IN (" + shWaits + ")"), "sh's `wait` for its jobs (sigsuspend) and for an exec are not stalls");
        assertTrue(stalls > 0, "the convoy's waits are stalls at 5 ms");
        assertEquals(Math.min(stalls, 5000), page.get("stallRects").asLong(), page.toString());
        assertEquals(Math.min(stalls, 5000), page.get("stallTableRows").asLong(), page.toString());
        long locks = Tools.scalar(capture, "SELECT count(*) FROM lock_time()");
        assertTrue(locks > 0);
        assertEquals(Math.min(locks, 100), page.get("lockTableRows").asLong(), page.toString());

        long hot = Tools.scalar(capture, "SELECT count(*) FROM samples WHERE stack_id IN"
            + " (SELECT stack_id FROM stack_frames WHERE name = 'hot_function')");
        long matched = page.get("searchMatchedSamples").asLong();
        assertTrue(matched <= hot && matched >= 0.95 * hot, matched + " matched of " + hot);
        assertEquals("hot_function", page.get("zoomedInto").asText(), page.toString());
        assertTrue(Files.size(shot) > 10_000, "screenshot " + shot);
    }

    @Test
    void htmlReportOfTheSyntheticFreezesShowsThemAll() throws Exception {
        Path html = tmp.resolve("freeze.html");
        Path freeze = Tools.HOME.resolve("testdata/synthetic/freeze.cap");
        Tools.Result c = Tools.tool("profiler-convert", freeze.toString(), "--to", "html", "--no-cache", "-o", html.toString());
        assertEquals(0, c.exit(), c.toString());
        Tools.Result r = node("render-report.mjs", html.toString(), Tools.HOME.resolve("e2e/target/html-report-freeze.png").toString());
        JsonNode page = JSON.readTree(r.stdout());
        assertEquals(0, page.get("errors").size(), page.toString());
        assertEquals(3, page.get("stallRects").asInt(), page.toString());
        assertEquals(1, page.get("timelineRows").asInt(), "freezes stop every CPU: one row, 'all CPUs'");
    }

    static Tools.Result node(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", Tools.HOME.resolve("viewers").resolve(args[0]).toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        return Tools.run(cmd, 180);
    }
}
