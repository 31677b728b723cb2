package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.profiler.formats.CaptureReader;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import dev.profiler.formats.TableReader;
import dev.profiler.formats.TableRows;
import dev.profiler.recorder.bpf.BpfRecords;
import dev.profiler.recorder.symbols.ElfCache;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ProcessTracker on a /proc built by the test. */
class ProcessTrackerTest {
    @TempDir Path tmp;

    /**
     * A short-lived process read late, on a busy machine: it has exited but
     * its parent has not reaped it yet, so /proc/PID is there with an empty
     * maps and cmdline. Its code must still be mapped, from what exec
     * reported (seen in CI: every sample of such a process unsymbolized).
     */
    @Test
    void zombieReadAtExecIsMappedFromTheExecRecord() throws Exception {
        Path proc = tmp.resolve("proc");
        Path dir = Files.createDirectories(proc.resolve("4242"));
        Files.writeString(dir.resolve("stat"), "4242 (short_lived) Z 4241 4242 4241 0 -1 4194316 0 0 0 0\n");
        Files.writeString(dir.resolve("comm"), "short_lived\n");
        Files.writeString(dir.resolve("cmdline"), "");
        Files.writeString(dir.resolve("maps"), "");
        Symbolizer symbolizer = symbolizer(proc);
        try (CaptureWriter out = CaptureWriter.create(tmp.resolve("t.cap"), false)) {
            StackInterner stacks = new StackInterner(symbolizer, out);
            ProcessTracker tracker = new ProcessTracker(proc, out, symbolizer, stacks);
            String program = "/usr/bin/true";
            long start = 0x555555556000L;
            tracker.lifecycle(new BpfRecords.ProcEvent(BpfRecords.PROC_EXEC, 100, 4242, 4242, 4241, false,
                "short_lived", start + 0x10, start + 0x3000, program));
            ProcessMaps maps = tracker.mapsFor(4242, start + 0x20);
            assertNotNull(maps, "the process is known");
            ProcessMaps.Mapping code = maps.find(start + 0x20);
            assertNotNull(code, "its code is mapped from the exec record: " + maps.mappings());
            assertEquals(program, code.path());
        }
    }

    /**
     * A JVM maps its code cache after its first samples: addresses in no
     * mapping yet are held back and symbolized once the mappings are read
     * again, here as JIT code (seen in CI: read once, too early, 2,015 of
     * 2,026 samples stayed [unknown] and no perf map could name them). An
     * address no later read maps stays [unknown].
     */
    @Test
    void framesInNoMappingYetAreSymbolizedWhenTheMappingsAreReadAgain() throws Exception {
        Path proc = tmp.resolve("proc");
        int pid = 4_000_123;
        String launcher = "555555554000-555555555000 r-xp 00000000 08:01 100 /usr/bin/java\n";
        Path dir = runningProcess(proc, pid, "java", "java\0HotJava\0", launcher);
        Symbolizer symbolizer = symbolizer(proc);
        long jitCode = 0x7f0000001000L, nowhere = 0x7e0000000000L;
        Path cap = tmp.resolve("jit.cap");
        try (CaptureWriter out = CaptureWriter.create(cap, false)) {
            StackInterner stacks = new StackInterner(symbolizer, out);
            ProcessTracker tracker = new ProcessTracker(proc, out, symbolizer, stacks);
            tracker.lifecycle(new BpfRecords.ProcEvent(BpfRecords.PROC_EXEC, 100, pid, pid, 1, false,
                "java", 0x555555554000L, 0x555555555000L, "/usr/bin/java"));
            stacks.stackId(pid, tracker.currentMaps(pid), new long[0], new long[] {jitCode, nowhere});
            Files.writeString(dir.resolve("maps"), launcher + "7f0000000000-7f0000100000 rwxp 00000000 00:00 0 \n");
            tracker.resolveUnmapped(stacks.unmappedAddedByPid(), true);
            stacks.finish();
            out.writeManifest(new Manifest());
        }
        Map<Long, Object[]> byAddress = new HashMap<>();
        try (CaptureReader r = CaptureReader.open(cap); RootAllocator a = new RootAllocator();
             TableReader tr = r.openTable(CaptureTable.FRAMES, a)) {
            for (Object[] row : TableRows.readAll(tr)) byAddress.put(((Number) row[1]).longValue(), row);
        }
        assertEquals(List.of("[jit]", "jit"), List.of(byAddress.get(jitCode)[2], byAddress.get(jitCode)[10]),
            "mapped since: JIT code");
        assertEquals(List.of("[unknown]", "user"), List.of(byAddress.get(nowhere)[2], byAddress.get(nowhere)[10]),
            "never mapped: unknown");
    }

    /**
     * Code without frame pointers walked by frame pointers gives made-up
     * return addresses in no mapping, new ones every second: the mappings
     * are read again less and less often while nothing changes (here 8 re-reads
     * in 40 s, not 40), and every second again once a read finds a change.
     */
    @Test
    void mappingsThatDoNotChangeAreReadLessAndLessOften() throws Exception {
        Path proc = tmp.resolve("proc");
        int pid = 4_000_321;
        String code = "555555554000-555555570000 r-xp 00000000 08:01 100 /usr/bin/dash\n";
        Path dir = runningProcess(proc, pid, "dash", "sh\0-c\0loop\0", code);
        Symbolizer symbolizer = symbolizer(proc);
        long[] now = {0};
        try (CaptureWriter out = CaptureWriter.create(tmp.resolve("fp.cap"), false)) {
            StackInterner stacks = new StackInterner(symbolizer, out);
            ProcessTracker tracker = new ProcessTracker(proc, out, symbolizer, stacks, () -> now[0]);
            tracker.lifecycle(new BpfRecords.ProcEvent(BpfRecords.PROC_EXEC, 100, pid, pid, 1, false,
                "dash", 0x555555554000L, 0x555555570000L, "/usr/bin/dash"));
            long readsAtExec = tracker.mapsReads();
            List<Long> readAt = new java.util.ArrayList<>();
            for (int s = 1; s <= 60; s++) {
                if (s == 41) Files.writeString(dir.resolve("maps"), code
                    + "7f0000000000-7f0000100000 r-xp 00000000 08:01 200 /usr/lib/x86_64-linux-gnu/libfoo.so\n");
                now[0] = s * 1_000_000_000L + 1;
                long before = tracker.mapsReads();
                // a second of samples: one stack with a return address in no mapping (a new one each time)
                long[] user = {0x555555555000L, 0x1000L * s};
                stacks.stackId(pid, tracker.mapsFor(pid, user), new long[0], user);
                tracker.resolveUnmapped(stacks.unmappedAddedByPid(), false);
                if (tracker.mapsReads() > before) readAt.add((long) s);
            }
            // three young re-reads a second apart, then waits of 2, 4, 8 and 16 s; the read at 50 s
            // finds the library mapped at 41 s: the next is a second later again
            assertEquals(List.of(1L, 2L, 3L, 4L, 6L, 10L, 18L, 34L, 50L, 51L, 53L, 57L), readAt,
                "re-reads of unchanged mappings (after " + readsAtExec + " at exec)");
            stacks.finish();
        }
    }

    /** /proc/PID of a running process (state R, parent 1) with these mappings; its directory. */
    private static Path runningProcess(Path proc, int pid, String comm, String cmdline, String maps) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") R 1 1 1 0 -1 4194304 0 0 0 0\n");
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("cmdline"), cmdline);
        Files.writeString(dir.resolve("maps"), maps);
        return dir;
    }

    /** A symbolizer over proc with a one-symbol kernel and no debug files. */
    private Symbolizer symbolizer(Path proc) throws Exception {
        Files.writeString(tmp.resolve("kallsyms"), "ffffffff81000000 T _stext\n");
        return new Symbolizer(KernelSymbols.load(tmp.resolve("kallsyms")), null, new ElfCache(tmp.resolve("no-debug")), proc);
    }
}
