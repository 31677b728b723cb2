package dev.profiler.recorder;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import dev.profiler.recorder.bpf.BpfRecords;
import dev.profiler.recorder.bpf.BpfSession;
import dev.profiler.recorder.cli.RecordCommand;
import dev.profiler.recorder.symbols.Demangler;
import dev.profiler.recorder.symbols.ElfCache;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Run once by the build (mvn package) under -XX:ArchiveClassesAtExit: it
 * walks the recorder's start-up paths without BPF (no root needed), so the
 * class-data archive it leaves lets every profiler-rec start skip loading
 * and verifying those classes again (measured: ~0.6 CPU-s of ~2 per start).
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
            CaptureTable[] tables = {CaptureTable.SAMPLES, CaptureTable.SCHED_SWITCH, CaptureTable.SCHED_WAKEUP,
                CaptureTable.LOCK_CONTENTION, CaptureTable.FUTEX_WAIT, CaptureTable.IRQ};
            for (int t = 0; t < tables.length; t++) {
                int[] widths = BpfRecords.COLUMN_WIDTHS[t];
                ByteBuffer[] cols = new ByteBuffer[widths.length];
                for (int c = 0; c < cols.length; c++)
                    cols[c] = ByteBuffer.allocateDirect(widths[c]).order(ByteOrder.LITTLE_ENDIAN);
                if (t == BpfRecords.TABLE_SAMPLES) cols[BpfRecords.COL_STACK_ID].putLong(0, id);
                if (t == BpfRecords.TABLE_LOCKS) cols[BpfRecords.LK_SYMBOL].putInt(0, -1);
                if (t == BpfRecords.TABLE_FUTEX) cols[BpfRecords.FX_SYMBOL].putInt(0, -1);
                if (t == BpfRecords.TABLE_IRQ) cols = Arrays.copyOf(cols, BpfRecords.IQ_TABLE_COLUMNS);
                out.table(tables[t]).appendColumns(1, cols);
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
