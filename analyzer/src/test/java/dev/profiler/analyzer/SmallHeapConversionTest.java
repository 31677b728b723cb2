package dev.profiler.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every format converts a capture whose samples alone would not fit in the
 * converter's heap: 3M samples (a list of them as Java objects needs far
 * more than the 48 MB the child JVM gets), so only streaming gets through.
 */
class SmallHeapConversionTest {
    static final int SAMPLES = 3_000_000, THREADS = 32, STACKS = 400;
    @TempDir Path tmp;

    @Test
    void everyFormatConvertsWithA48MegabyteHeap() throws Exception {
        Path capture = tmp.resolve("big.cap");
        Random rnd = new Random(7);
        try (SyntheticCapture c = SyntheticCapture.create(capture, 2, Scenarios.PERIOD)) {
            for (int t = 0; t < THREADS; t++) c.thread(1000 + t, 1000, "worker-" + t);
            long[] stacks = new long[STACKS];
            for (int s = 0; s < STACKS; s++)
                stacks[s] = c.stack("leaf_" + s, "middle_" + (s % 37), "k:do_syscall_64", "outer_" + (s % 5), "main");
            for (int i = 0; i < SAMPLES; i++) {
                int cpu = i & 1;
                c.sample((long) (i / 2) * Scenarios.PERIOD + cpu * 500_000, cpu, 1000 + rnd.nextInt(THREADS),
                    stacks[rnd.nextInt(STACKS)]);
            }
            c.finish((long) (SAMPLES / 2 + 1) * Scenarios.PERIOD);
        }
        for (String to : List.of("pprof", "collapsed", "speedscope", "chrome", "html")) {
            Path out = tmp.resolve("out." + to);
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-XX:+UseSerialGC", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.profiler.analyzer.cli.ConvertCommand",
                capture.toString(), "--to", to, "-o", out.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(to + ".log").toFile()).start();
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), to + " finished");
            assertEquals(0, p.exitValue(), to + ": " + Files.readString(tmp.resolve(to + ".log")));
            assertTrue(Files.size(out) > 0, to);
        }
    }
}
