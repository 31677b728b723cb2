package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.profiler.formats.CaptureWriter;
import dev.profiler.recorder.bpf.BpfRecords;
import dev.profiler.recorder.symbols.ElfCache;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Files.writeString(tmp.resolve("kallsyms"), "ffffffff81000000 T _stext\n");
        Symbolizer symbolizer = new Symbolizer(KernelSymbols.load(tmp.resolve("kallsyms")), null,
            new ElfCache(tmp.resolve("no-debug")), proc);
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
}
