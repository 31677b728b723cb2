package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Setting a HotSpot JVM's DumpPerfMapAtExit in its memory: the byte that
 * changes is the one binutils' nm names, a JVM so set writes its perf map
 * when it exits, the flag is undone only in its own process, and a process
 * that is no JVM is refused.
 */
class HotSpotExitMapTest {
    private static final Path PROC = Path.of("/proc");
    @TempDir Path tmp;

    /** The flag's byte as nm and the process's maps place it: an oracle apart from the code under test. */
    private static int flagByteByNm(long pid) throws Exception {
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
        assertNotNull(libjvm, "the process maps libjvm.so");
        Process nm = new ProcessBuilder("nm", libjvm).start();
        long offset = new String(nm.getInputStream().readAllBytes()).lines()
            .filter(l -> l.endsWith(" " + HotSpotExitMap.FLAG))
            .mapToLong(l -> Long.parseUnsignedLong(l.substring(0, l.indexOf(' ')), 16)).findFirst().orElseThrow();
        nm.waitFor();
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            mem.seek(base + offset);
            return mem.read();
        }
    }

    @Test
    void theByteNmNamesIsSetAndUndone() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        assertEquals(0, flagByteByNm(self), "this JVM was started without -XX:+DumpPerfMapAtExit");
        HotSpotExitMap.SetFlag set = HotSpotExitMap.enable(PROC, self);
        try {
            assertNotNull(set, "it was off, so this call set it");
            assertEquals(1, flagByteByNm(self));
            assertTrue(HotSpotExitMap.isSet(PROC, self));
            assertEquals(null, HotSpotExitMap.enable(PROC, self), "already on: nothing for this call to undo");
            HotSpotExitMap.undo(PROC, new HotSpotExitMap.SetFlag(self, set.address(), set.startTime() + 1));
            assertEquals(1, flagByteByNm(self), "another process's start time: not touched");
        } finally {
            HotSpotExitMap.undo(PROC, set);
        }
        assertEquals(0, flagByteByNm(self), "undone");
    }

    @Test
    void aJvmSetSoWritesItsPerfMapWhenItExits() throws Exception {
        Path src = Files.writeString(tmp.resolve("Busy.java"), """
            public class Busy {
                static long work(long n) { long s = 0; for (long i = 0; i < n; i++) s += i ^ (s >>> 3); return s; }
                public static void main(String[] a) throws Exception {
                    long end = System.nanoTime() + 1_500_000_000L, sink = 0;
                    while (System.nanoTime() < end) sink += work(100_000);
                    System.out.println(sink);
                }
            }
            """);
        Process javac = new ProcessBuilder("javac", "-d", tmp.toString(), src.toString()).inheritIO().start();
        assertEquals(0, javac.waitFor());
        Process jvm = new ProcessBuilder("java", "-cp", tmp.toString(), "Busy").redirectErrorStream(true).start();
        int pid = (int) jvm.pid();
        Path map = Path.of("/tmp/perf-" + pid + ".map");
        try {
            Files.deleteIfExists(map);
            HotSpotExitMap.SetFlag set = null;
            for (int i = 0; i < 100 && set == null; i++) {
                Thread.sleep(20);
                try {
                    set = HotSpotExitMap.enable(PROC, pid);
                } catch (IOException e) {
                    // libjvm.so not mapped yet
                }
            }
            assertNotNull(set, "set once the JVM has mapped libjvm.so");
            String out = new String(jvm.getInputStream().readAllBytes());
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, jvm.exitValue(), out);
            assertTrue(Files.isRegularFile(map), "the JVM wrote its perf map at exit");
            List<String> lines = Files.readAllLines(map);
            assertTrue(lines.stream().anyMatch(l -> l.endsWith("Busy.work(long)")),
                "its JIT-compiled method is in it: " + lines.size() + " lines");
            assertTrue(out.strip().matches("-?\\d+"), "and it printed nothing else: " + out);
        } finally {
            jvm.destroyForcibly();
            Files.deleteIfExists(map);
        }
    }

    @Test
    void aProcessThatIsNoJvmIsRefused() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "10").start();
        try {
            IOException e = assertThrows(IOException.class, () -> HotSpotExitMap.enable(PROC, (int) sleep.pid()));
            assertEquals("it maps no libjvm.so", e.getMessage());
        } finally {
            sleep.destroyForcibly();
        }
    }
}
