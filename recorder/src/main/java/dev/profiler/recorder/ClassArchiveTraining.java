package dev.profiler.recorder;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import dev.profiler.recorder.bpf.BatchColumns;
import dev.profiler.recorder.bpf.BatchLayout;
import dev.profiler.recorder.bpf.BpfRecords;
import dev.profiler.recorder.bpf.BpfSession;
import dev.profiler.recorder.cli.RecordCommand;
import dev.profiler.recorder.symbols.Demangler;
import dev.profiler.recorder.symbols.ElfCache;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Run once by the build (mvn package), which archives the classes it loads
 * (see the root pom): it walks the recorder's start-up paths without BPF (no
 * root needed), so every profiler-rec start skips loading and verifying
 * those classes again (measured: ~0.6 CPU-s of ~2 per start).
 */
public final class ClassArchiveTraining {
    private ClassArchiveTraining() {}

    public static void main(String[] args) throws Exception {
        new CommandLine(new RecordCommand()).parseArgs("-F", "99", "-o", "x.cap", "--", "true");
        BpfSession.library();
        KernelSymbols kernel = KernelSymbols.load(Path.of("/proc/kallsyms"));
        Symbolizer symbolizer = new Symbolizer(kernel, null, new ElfCache(Path.of("/usr/lib/debug/.build-id")), Path.of("/proc"));
        int self = (int) ProcessHandle.current().pid();
        ProcessMaps maps = ProcessMaps.read(Path.of("/proc"), self);
        Demangler.demangle("_ZN4demo6Widget4spinEi");
        Path dir = Files.createTempDirectory("cds-training");
        try (CaptureWriter out = CaptureWriter.create(dir.resolve("t.cap"), false)) {
            StackInterner stacks = new StackInterner(symbolizer, out);
            ProcessTracker tracker = new ProcessTracker(Path.of("/proc"), out, symbolizer, stacks);
            tracker.sawThread(self, self, "training", 1, 2);
            long ip = maps.mappings().get(0).start();
            long id = stacks.stackId(self, tracker.mapsFor(self, ip), new long[0], new long[] {ip, ip + 1});
            Recording.seedDictionaries(out);
            new LockSymbols(kernel, out.table(CaptureTable.LOCK_CONTENTION));
            new FutexSymbols(symbolizer, tracker, out.table(CaptureTable.FUTEX_WAIT));
            new IrqHandlers(kernel, out.table(CaptureTable.IRQ)).addNames(Map.of(0, "training"));
            for (BatchLayout.Table t : BpfSession.layout().tables()) {
                BatchColumns cols = BatchColumns.allocate(t, 1);
                if (t.capture() == CaptureTable.SAMPLES) cols.column("stack_id").putLong(0, id);
                if (t.capture() == CaptureTable.LOCK_CONTENTION || t.capture() == CaptureTable.FUTEX_WAIT)
                    cols.column("lock_symbol").putInt(0, -1);
                if (t.capture() == CaptureTable.IRQ) cols.column("handler").putInt(0, -1);
                out.table(t.capture()).appendColumns(1, cols.captureColumns());
            }
            stacks.finish();
            tracker.lifecycle(new BpfRecords.ProcEvent(BpfRecords.PROC_EXEC, 3, self, self, 1, false, "training",
                0, 0, ""));
            tracker.writeProcesses(pid -> true);
            tracker.writeThreads();
            out.writeManifest(new Manifest());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
