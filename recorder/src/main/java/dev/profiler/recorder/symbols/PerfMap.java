package dev.profiler.recorder.symbols;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
