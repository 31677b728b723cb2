package dev.profiler.recorder.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The executable mappings of one process, from /proc/PID/maps. */
public final class ProcessMaps {
    /** One mapping; path is null for anonymous memory (JIT code lives there). */
    public record Mapping(long start, long end, long offset, String path, boolean executable) {
        public boolean contains(long addr) {
            return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr, end) < 0;
        }

        /** [vdso], [vsyscall], [stack]... */
        public boolean isSpecial() { return path != null && path.startsWith("["); }
    }

    private final List<Mapping> mappings;

    ProcessMaps(List<Mapping> mappings) {
        this.mappings = mappings;
    }

    public static ProcessMaps read(Path procRoot, int pid) throws IOException {
        List<Mapping> out = new ArrayList<>();
        for (String line : Files.readAllLines(procRoot.resolve(Integer.toString(pid)).resolve("maps"))) {
            Mapping m = parse(line);
            if (m != null && m.executable()) out.add(m);
        }
        return new ProcessMaps(List.copyOf(out));
    }

    /** "7f..-7f.. r-xp 00001000 08:01 1234   /usr/lib/x.so" */
    static Mapping parse(String line) {
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 5) return null;
        int dash = f[0].indexOf('-');
        if (dash < 0) return null;
        long start = Long.parseUnsignedLong(f[0], 0, dash, 16);
        long end = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
        boolean exec = f[1].length() >= 3 && f[1].charAt(2) == 'x';
        long offset = Long.parseUnsignedLong(f[2], 16);
        String path = f.length == 6 ? f[5] : null;
        if (path != null && path.endsWith(" (deleted)")) path = path.substring(0, path.length() - 10);
        if (path != null && path.isEmpty()) path = null;
        return new Mapping(start, end, offset, path, exec);
    }

    public List<Mapping> mappings() { return mappings; }

    /** A snapshot made of these mappings (a process gone before /proc could be read). */
    public static ProcessMaps of(List<Mapping> mappings) {
        return new ProcessMaps(List.copyOf(mappings));
    }

    public Mapping find(long addr) {
        for (Mapping m : mappings)
            if (m.contains(addr)) return m;
        return null;
    }
}
