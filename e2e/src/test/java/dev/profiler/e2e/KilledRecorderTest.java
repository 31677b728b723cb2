package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping from outside: Ctrl-C (SIGINT) ends a recording cleanly; SIGKILL
 * leaves a capture readable up to its last flush (at most ~1 s old).
 */
class KilledRecorderTest {
    @TempDir Path tmp;

    @Test
    void sigkillKeepsWhatWasFlushed() throws Exception {
        Tools.requireBpf();
        Path workload = Tools.buildWorkload("hot_loop", tmp);
        Path cap = tmp.resolve("killed.cap");
        Process rec = new ProcessBuilder(Tools.HOME.resolve("bin/profiler-rec").toString(), "-F", "999",
            "-o", cap.toString(), "--", workload.toString(), "60")
            .redirectErrorStream(true).redirectOutput(tmp.resolve("rec.log").toFile()).start();
        try {
            Path samples = cap.resolve("samples.arrows");
            long deadline = System.nanoTime() + 20_000_000_000L;
            // wait for the first flushed batch, then one more flush interval
            while (System.nanoTime() < deadline && (!Files.exists(samples) || Files.size(samples) < 2048))
                Thread.sleep(100);
            assertTrue(Files.size(samples) >= 2048, "recorder flushed samples: " + Files.readString(tmp.resolve("rec.log")));
            Thread.sleep(1500);
        } finally {
            List<ProcessHandle> children = rec.descendants().toList();
            rec.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
            children.forEach(ProcessHandle::destroyForcibly);
        }
        JsonNode manifest = new ObjectMapper().readTree(cap.resolve("manifest.json").toFile());
        assertFalse(manifest.get("complete").asBoolean(), "a killed recording is marked incomplete");

        Tools.Result r = Tools.tool("profiler-query", "--format", "json", cap.toString(),
            "SELECT count(*) AS n, count(DISTINCT stack_id) AS stacks FROM samples");
        assertEquals(0, r.exit(), r.toString());
        long n = new ObjectMapper().readTree(r.stdout()).get(0).get("n").asLong();
        assertTrue(n >= 900, "about a second or more of 999 Hz samples kept: " + n);
        Tools.Result top = Tools.tool("profiler-query", "top", cap.toString(), "--format", "csv");
        assertEquals(0, top.exit(), top.toString());
        assertTrue(top.stdout().lines().skip(1).findFirst().orElse("").startsWith("hot_function,"), top.stdout());
    }

    @Test
    void sigintStopsCleanlyWithCountersWritten() throws Exception {
        Tools.requireBpf();
        Path cap = tmp.resolve("int.cap");
        Process rec = new ProcessBuilder(Tools.HOME.resolve("bin/profiler-rec").toString(), "-F", "199", "-d", "60",
            "-o", cap.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("rec.log").toFile()).start();
        stopWithSigint(rec, cap);
    }

    /**
     * A script's `profiler-rec ... &` starts with SIGINT ignored (POSIX shells
     * do that for background jobs); the JVM would leave it ignored, and `kill
     * -INT` did nothing (seen in a bench script: the recorder ran on for minutes).
     */
    @Test
    void sigintStopsARecorderStartedWithSigintIgnored() throws Exception {
        Tools.requireBpf();
        Path cap = tmp.resolve("ignored.cap");
        Process rec = new ProcessBuilder("sh", "-c", "trap '' INT; exec \"$0\" -F 199 -d 60 -o \"$1\"",
            Tools.HOME.resolve("bin/profiler-rec").toString(), cap.toString())
            .redirectErrorStream(true).redirectOutput(tmp.resolve("rec.log").toFile()).start();
        stopWithSigint(rec, cap);
    }

    private void stopWithSigint(Process rec, Path cap) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline && !Files.exists(cap.resolve("manifest.json"))) Thread.sleep(100);
        Thread.sleep(1500);
        assertEquals(0, Tools.run(List.of("kill", "-INT", Long.toString(rec.pid())), 10).exit());
        if (!rec.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            rec.destroyForcibly().waitFor();
            fail("did not stop within 20 s of SIGINT: " + Files.readString(tmp.resolve("rec.log")));
        }
        String log = Files.readString(tmp.resolve("rec.log"));
        assertEquals(0, rec.exitValue(), log);
        assertTrue(log.contains("wrote " + cap), log);
        JsonNode manifest = new ObjectMapper().readTree(cap.resolve("manifest.json").toFile());
        assertTrue(manifest.get("complete").asBoolean(), manifest.toString());
        assertTrue(manifest.get("counters").get("lost_per_cpu").has("samples"), manifest.toString());
    }
}
