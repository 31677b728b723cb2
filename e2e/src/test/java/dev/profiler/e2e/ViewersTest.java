package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        java.util.Map<String, Double> lastEnd = new java.util.HashMap<>();
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

    static Tools.Result node(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", Tools.HOME.resolve("viewers").resolve(args[0]).toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        return Tools.run(cmd, 180);
    }
}
