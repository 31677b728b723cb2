package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HotSpot JVMs with only -XX:+PreserveFramePointer, already running when
 * the recorder attaches (-p PID) or started by it (-- CMD) and gone before
 * it stops: the recorder has them write their perf maps (at their exit, or
 * through the attach protocol as jcmd Compiler.perfmap does), so their JIT
 * frames are named up to the last one, a JVM prints no thread dump for the
 * SIGQUIT that wakes its attach listener, and one still running is left
 * with its DumpPerfMapAtExit flag as it was.
 */
class JvmPerfMapTest {
    @TempDir Path tmp;

    private Path compile() throws Exception {
        Path classes = tmp.resolve("classes");
        Tools.Result javac = Tools.run(List.of("javac", "-d", classes.toString(),
            Tools.HOME.resolve("testdata/workloads/HotJava.java").toString()), 120);
        assertEquals(0, javac.exit(), javac.toString());
        return classes;
    }

    /** Samples of pid (all, if null) and how many of them are in the JIT-compiled HotJava.spin, named. */
    private static long[] samplesInSpin(Path capture, Integer pid) throws Exception {
        String of = pid == null ? "pid <> 0" : "pid = " + pid;
        return new long[] {Tools.scalar(capture, "SELECT count(*) FROM samples WHERE " + of),
            samplesIn(capture, of, "spin")};
    }

    private static long samplesIn(Path capture, String where, String method) throws Exception {
        return Tools.scalar(capture, "SELECT count(*) FROM samples WHERE " + where + " AND stack_id IN"
            + " (SELECT stack_id FROM stack_frames f JOIN frames USING (frame_id)"
            + " WHERE kind = 'jit' AND function LIKE '%HotJava." + method + "(%')");
    }

    /** The JVM's DumpPerfMapAtExit byte, placed by nm and its maps (not by the recorder's code). */
    private static int dumpPerfMapAtExit(long pid) throws Exception {
        String libjvm = null;
        long base = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && f[5].endsWith("/libjvm.so") && f[1].endsWith("p") && f[2].equals("00000000")) {
                libjvm = f[5];
                base = Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16);
                break;
            }
        }
        assertTrue(libjvm != null, "the JVM maps libjvm.so");
        Tools.Result nm = Tools.run(List.of("nm", libjvm), 60);
        long offset = nm.stdout().lines().filter(l -> l.endsWith(" DumpPerfMapAtExit"))
            .mapToLong(l -> Long.parseUnsignedLong(l.substring(0, l.indexOf(' ')), 16)).findFirst().orElseThrow();
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            mem.seek(base + offset);
            return mem.read();
        }
    }

    @Test
    void aJvmStartedByTheRecorderIsNamedThoughItExitsFirst() throws Exception {
        Tools.requireBpf();
        Path classes = compile();
        Path capture = tmp.resolve("cmd.cap");
        // two new methods in its last 0.6 s: one compiled within a second of the other, then it exits
        Tools.Result rec = Tools.tool("profiler-rec", "-F", "499", "-o", capture.toString(), "--",
            "java", "-XX:+PreserveFramePointer", "-cp", classes.toString(), "HotJava", "4", "300");
        assertEquals(0, rec.exit(), rec.toString());
        long[] n = samplesInSpin(capture, null);
        assertTrue(n[0] > 500, n[0] + " samples");
        long last = samplesIn(capture, "pid <> 0", "lastSpin"), next = samplesIn(capture, "pid <> 0", "nextSpin");
        assertTrue(next >= 100 && last >= 100, "the code compiled in its last 0.6 s is named (no race with its exit):"
            + " samples in nextSpin " + next + ", in lastSpin " + last + " (of ~150 each at 499 Hz)");
        assertTrue(n[1] >= 0.7 * n[0], "samples in the named JIT method spin: " + n[1] + " of " + n[0]
            + " (asked for its perf map while it ran); leaves in no mapping: " + Tools.scalar(capture,
                "SELECT count(*) FROM samples s JOIN stack_frames sf ON sf.stack_id = s.stack_id AND sf.depth = 0"
                + " JOIN frames f USING (frame_id) WHERE f.module = '[unknown]'") + "; " + rec.stderr());
    }

    @Test
    void aRunningJvmsJitFramesAreNamedWithoutJcmd() throws Exception {
        Tools.requireBpf();
        Path classes = compile();
        Path jvmOut = tmp.resolve("jvm.out");
        Process jvm = new ProcessBuilder("java", "-XX:+PreserveFramePointer", "-cp", classes.toString(), "HotJava", "30")
            .redirectErrorStream(true).redirectOutput(jvmOut.toFile()).start();
        try {
            String ready = null;
            for (int i = 0; i < 200 && ready == null; i++) {
                Thread.sleep(50);
                ready = Files.readAllLines(jvmOut).stream().filter(l -> l.startsWith("ready ")).findFirst().orElse(null);
            }
            assertTrue(ready != null, "the JVM started: " + Files.readString(jvmOut));
            int pid = Integer.parseInt(ready.substring(6).strip());
            Files.deleteIfExists(Path.of("/tmp/perf-" + pid + ".map"));
            Thread.sleep(1500); // spin gets compiled
            Path capture = tmp.resolve("jvm.cap");
            Tools.Result rec = Tools.tool("profiler-rec", "-p", Integer.toString(pid), "-d", "3", "-F", "499",
                "-o", capture.toString());
            assertEquals(0, rec.exit(), rec.toString());
            assertFalse(rec.stderr().contains("gave no perf map"), rec.stderr());
            long[] n = samplesInSpin(capture, pid);
            long samples = n[0], inSpin = n[1];
            assertTrue(samples > 500, samples + " samples");
            assertTrue(inSpin >= 0.8 * samples, "samples in the named JIT method spin: " + inSpin + " of " + samples);
            assertEquals(0, dumpPerfMapAtExit(pid), "the JVM still running is left with DumpPerfMapAtExit off, as found");
            jvm.destroy();
            jvm.waitFor(10, TimeUnit.SECONDS);
            String printed = Files.readString(jvmOut);
            assertFalse(printed.contains("Full thread dump"), "no thread dump printed: " + printed);
        } finally {
            jvm.destroyForcibly();
            jvm.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
