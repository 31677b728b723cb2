package dev.profiler.recorder;

import dev.profiler.formats.Manifest;
import dev.profiler.recorder.bpf.BpfException;
import dev.profiler.recorder.bpf.BpfSession;
import dev.profiler.recorder.bpf.ShimSources;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import dev.profiler.recorder.unwind.TableCache;
import dev.profiler.recorder.unwind.UnwindLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * --call-graph dwarf around a recording: the unwind tables of what runs
 * loaded before the first sample, and what the manifest says of them.
 */
final class UnwindSetup {
    /**
     * Room for this many unwind rows (4 bytes each: 16 MiB of kernel
     * memory). Measured: libc 23k rows, libstdc++ 28k, libjvm 129k,
     * libLLVM 818k; tables no process maps are dropped when room runs out.
     */
    static final long ROWS = 4L << 20;

    private UnwindSetup() {}

    /**
     * The loader, with the tables of the files nearly every new process maps
     * and of the processes already running that the recording covers.
     */
    static UnwindLoader start(BpfSession bpf, Symbolizer symbolizer, RecordingOptions opts, Path proc, PrintStream err)
            throws IOException {
        UnwindLoader loader = new UnwindLoader(bpf, symbolizer, TableCache.defaultCache());
        int self = (int) ProcessHandle.current().pid();
        long t0 = System.nanoTime();
        loader.preload(self, commonFiles(opts, proc, self));
        IntPredicate running = switch (opts.target()) {
            case PIDS -> pid -> opts.pids().contains(pid);
            case SYSTEM -> pid -> pid != self;
            case COMMAND -> pid -> false; // it has not started yet
        };
        int n = loader.loadRunning(proc, running);
        if (opts.verbose())
            err.printf("profiler-rec: unwind tables for %d processes in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
        return loader;
    }

    /**
     * Files nearly every new process maps: the C library and dynamic loader
     * (as the recorder maps them), and the command to run, found on PATH.
     */
    private static List<String> commonFiles(RecordingOptions opts, Path proc, int self) {
        List<String> files = new ArrayList<>();
        try {
            for (ProcessMaps.Mapping m : ProcessMaps.read(proc, self).mappings()) {
                String name = m.path() == null ? "" : Path.of(m.path()).getFileName().toString();
                if ((name.startsWith("libc.so") || name.startsWith("ld-linux")) && !files.contains(m.path()))
                    files.add(m.path());
            }
        } catch (IOException e) {
            // nothing preloaded: tables load as processes appear
        }
        if (!opts.command().isEmpty()) {
            String cmd = opts.command().get(0);
            if (cmd.contains("/")) files.add(Path.of(cmd).toAbsolutePath().toString());
            else for (String dir : System.getenv().getOrDefault("PATH", "").split(":"))
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cmd))) {
                    files.add(Path.of(dir, cmd).toString());
                    break;
                }
        }
        return files;
    }

    /** manifest.sampling.unwinding: the walks' outcomes (BPF counters) and the tables. */
    static Manifest.Unwinding manifest(UnwindLoader.Stats s, long[][] counters) throws BpfException {
        Manifest.Unwinding u = new Manifest.Unwinding();
        for (ShimSources.Counter counter : ShimSources.counters()) {
            if (!counter.kind().equals("unwind")) continue;
            long n = 0;
            for (long[] c : counters) n += c[counter.index()];
            u.samples.put(counter.stream(), n);
        }
        u.tables = s.tables();
        u.rows = s.rows();
        u.rowCapacity = s.rowCapacity();
        u.filesWithoutTable = s.filesWithoutTable();
        u.withoutTable = s.noTable().values().stream().limit(20).toList();
        u.evictions = s.evictions();
        u.mappingsLeftOut = s.mappingsLeftOut();
        u.rowsWithoutRule = s.rowsWithoutRule();
        u.tablesFromCache = s.fromCache();
        u.buildMs = s.buildMillis();
        return u;
    }
}
