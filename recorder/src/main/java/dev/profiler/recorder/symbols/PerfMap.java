package dev.profiler.recorder.symbols;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * JIT symbols from /tmp/perf-PID.map ("START SIZE name", hex), the file
 * JVMs (jcmd PID Compiler.perfmap, -XX:+DumpPerfMapAtExit), node --perf-basic-prof
 * and others write for perf.
 */
public final class PerfMap {
    private PerfMap() {}

    public static Path pathFor(int pid) {
        return Path.of("/tmp/perf-" + pid + ".map");
    }

    /**
     * True when the map was last written before the running process of that
     * pid started: it is another, earlier process's (pids are reused, and
     * nothing removes these files), whose names would be wrong here. A
     * process already gone cannot be checked, and its map is trusted.
     */
    public static boolean olderThanItsProcess(int pid) throws IOException {
        Path map = pathFor(pid);
        if (!Files.isRegularFile(map)) return false;
        Optional<Instant> started = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
        // the start time is known to the clock tick (10 ms): a map written in the process's first tick is its own
        return started.isPresent()
            && Files.getLastModifiedTime(map).toInstant().isBefore(started.get().minusMillis(10));
    }

    /** The symbols of the map, or null if the process wrote none. */
    public static SymbolTable read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        SymbolTable.Builder b = new SymbolTable.Builder();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split(" ", 3);
                if (f.length < 3) continue;
                try {
                    b.add(Long.parseUnsignedLong(strip0x(f[0]), 16), Long.parseUnsignedLong(strip0x(f[1]), 16), f[2]);
                } catch (NumberFormatException e) {
                    // a line being written as we read; skip it
                }
            }
        }
        return b.build();
    }

    private static String strip0x(String s) {
        return s.startsWith("0x") ? s.substring(2) : s;
    }
}
