import dev.profiler.recorder.symbols.ElfCache;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.Symbolizer;
import dev.profiler.recorder.unwind.UnwindLoader;
import dev.profiler.recorder.unwind.UnwindMaps;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the recorder's unwind tables cost to build, per file: the first
 * build in a fresh JVM (the recorder's case: its parser not compiled yet),
 * then the median of RUNS more; the rows and the kernel memory they take
 * (4 bytes a row, 8 a 64 KiB page); the Java heap allocated while building.
 *
 * usage: bench/unwind-tables [RUNS] [FILE...]   (default: libc, libstdc++, libjvm)
 */
public class UnwindTableBench {
    /** Counts what would be written to the BPF arrays; keeps nothing. */
    static final class NoMaps implements UnwindMaps {
        public long capacity(int array) { return array == ROWS ? 64L << 20 : 1 << 20; }
        public void write(int array, long first, ByteBuffer elements, int count) {}
        public void setProcess(int pid, ByteBuffer process) {}
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<String> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) files.add(args[i]);
        if (files.isEmpty()) files = List.of("/usr/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", System.getProperty("java.home") + "/lib/server/libjvm.so");
        Path kallsyms = Files.createTempFile("kallsyms", "");
        Files.writeString(kallsyms, "ffffffff81000000 T _stext\n");
        int self = (int) ProcessHandle.current().pid();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.out.printf("%-45s %9s %9s %9s %9s %10s %12s%n", "file", "rows", "pages", "kernel KB", "first ms",
            "median ms", "heap MB/build");
        for (String file : files) {
            List<Double> ms = new ArrayList<>();
            long rows = 0, pages = 0, alloc = 0;
            for (int r = 0; r <= runs; r++) {
                Symbolizer symbolizer = new Symbolizer(KernelSymbols.load(kallsyms), null,
                    new ElfCache(Path.of("/nonexistent")), Path.of("/proc"));
                symbolizer.mappedFile(self, file); // the ELF headers and symbols are the symbolizer's, not the table's
                UnwindLoader loader = new UnwindLoader(new NoMaps(), symbolizer);
                long a0 = threads.getCurrentThreadAllocatedBytes(), t0 = System.nanoTime();
                loader.preload(self, List.of(file));
                ms.add((System.nanoTime() - t0) / 1e6);
                if (r > 0) alloc += threads.getCurrentThreadAllocatedBytes() - a0;
                rows = loader.stats().rows();
                pages = loader.stats().pages();
            }
            double first = ms.remove(0);
            Collections.sort(ms);
            System.out.printf("%-45s %9d %9d %9.1f %9.1f %10.1f %12.1f%n", file, rows, pages, (rows * 4 + pages * 8) / 1e3,
                first, ms.get(ms.size() / 2), alloc / (double) runs / (1 << 20));
        }
    }
}
