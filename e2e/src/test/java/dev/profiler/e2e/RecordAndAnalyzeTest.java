package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.profiler.formats.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records a workload whose hot function is known, on real eBPF, and checks
 * what each tool makes of it: profiler-rec, profiler-query top, SQL,
 * profiler-convert --to pprof, and go tool pprof reading the result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordAndAnalyzeTest {
    static final int HZ = 499;
    static final double WORKLOAD_SECONDS = 3.0;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path tmp;
    Path capture;
    Path workload;

    @BeforeAll
    void record() throws Exception {
        Tools.requireBpf();
        workload = Tools.buildWorkload("hot_loop", tmp);
        capture = tmp.resolve("hot.cap");
        Tools.Result r = Tools.tool("profiler-rec", "-F", Integer.toString(HZ), "-o", capture.toString(),
            "--", workload.toString(), Double.toString(WORKLOAD_SECONDS));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("wrote " + capture), r.toString());
    }

    JsonNode query(String sql) throws Exception {
        Tools.Result r = Tools.tool("profiler-query", "--format", "json", capture.toString(), sql);
        assertEquals(0, r.exit(), r.toString());
        return JSON.readTree(r.stdout());
    }

    @Test
    void hotFunctionIsOnTopOfTheTopReport() throws Exception {
        Tools.Result r = Tools.tool("profiler-query", "top", capture.toString(), "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode rows = JSON.readTree(r.stdout());
        assertEquals("hot_function", rows.get(0).get("function").asText(), r.stdout());
        assertTrue(rows.get(0).get("self_pct").asDouble() > 50, r.stdout());
        assertTrue(rows.get(0).get("module").asText().endsWith("/hot_loop"), r.stdout());
        // the table form prints the truncated-stack share up front
        Tools.Result table = Tools.tool("profiler-query", "top", capture.toString());
        assertTrue(table.stdout().contains("user stack truncated in"), table.toString());
    }

    @Test
    void sampleCountMatchesFrequencyTimesDurationTimesBusyCpus() throws Exception {
        long n = query("SELECT count(*) AS n FROM samples").get(0).get("n").asLong();
        double expected = HZ * WORKLOAD_SECONDS * 1; // one busy thread
        assertEquals(expected, n, expected * 0.20, "samples: " + n);
        Manifest m = JSON.copy().setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .readValue(capture.resolve("manifest.json").toFile(), Manifest.class);
        assertTrue(m.complete);
        assertEquals("cpu-clock", m.sampling.eventSource);
        assertEquals(0, m.counters.totalLost());
        long emitted = m.counters.emittedPerCpu.get("samples").stream().mapToLong(Long::longValue).sum();
        assertEquals(emitted, n, "every sample BPF emitted is in the capture");
    }

    @Test
    void userAndKernelFramesAreSymbolizedWithModuleAndBuildId() throws Exception {
        JsonNode user = query("SELECT DISTINCT function, build_id FROM frames WHERE kind = 'user' AND module LIKE '%/hot_loop'");
        List<String> names = user.findValuesAsText("function");
        assertTrue(names.contains("hot_function") && names.contains("main"), user.toString());
        for (JsonNode f : user) assertFalse(f.get("build_id").isNull(), "build id kept: " + f);
        JsonNode kernel = query("SELECT function FROM frames WHERE kind = 'kernel' AND function IS NOT NULL");
        assertFalse(kernel.isEmpty(), "some kernel frames are symbolized");
        // the workload reads /dev/zero: that path shows in kernel frames
        assertTrue(kernel.findValuesAsText("function").stream().anyMatch(f -> f.contains("read")), kernel.toString());
        // stacks through main reach libc's start: not marked truncated
        JsonNode trunc = query("""
            SELECT count(*) FILTER (WHERE st.user_truncated) AS t, count(*) AS n
            FROM samples s JOIN stacks st USING (stack_id)""");
        assertTrue(trunc.get(0).get("t").asLong() < trunc.get(0).get("n").asLong() * 0.05, trunc.toString());
    }

    @Test
    void pprofHasEverySampleAndGoToolPprofNamesTheHotFunction() throws Exception {
        Path pb = tmp.resolve("hot.pb.gz");
        Tools.Result r = Tools.tool("profiler-convert", capture.toString(), "--to", "pprof", "-o", pb.toString());
        assertEquals(0, r.exit(), r.toString());
        long n = query("SELECT count(*) AS n FROM samples").get(0).get("n").asLong();
        assertEquals(n, countPprofSamples(pb));

        Tools.Result go = Tools.run(List.of("go", "tool", "pprof", "-top", "-sample_index=samples", pb.toString()), 120);
        assertEquals(0, go.exit(), go.toString());
        String firstRow = go.stdout().lines().filter(l -> l.matches("\\s*\\d+\\s+\\d.*%.*")).findFirst().orElse("");
        assertTrue(firstRow.endsWith("hot_function"), go.stdout());
        assertEquals(n, GoPprof.rawTotals(pb)[0], "go tool pprof -raw: every sample");
    }

    /** Sum of the first value (samples/count) over all pprof samples, decoded independently of the writer. */
    static long countPprofSamples(Path pb) throws IOException {
        long total = 0;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(pb))) {
            CodedInputStream c = CodedInputStream.newInstance(in);
            c.setSizeLimit(Integer.MAX_VALUE);
            int tag;
            while ((tag = c.readTag()) != 0) {
                if (WireFormat.getTagFieldNumber(tag) != 2) {
                    c.skipField(tag);
                    continue;
                }
                CodedInputStream s = CodedInputStream.newInstance(c.readByteArray());
                int st;
                while ((st = s.readTag()) != 0) {
                    if (WireFormat.getTagFieldNumber(st) == 2) {
                        CodedInputStream v = CodedInputStream.newInstance(s.readByteArray());
                        total += v.readInt64();
                    } else {
                        s.skipField(st);
                    }
                }
            }
        }
        return total;
    }
}
