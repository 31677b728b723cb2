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
            // most mappings are data (a JVM has thousands): skip them on the permissions' x alone
            int space = line.indexOf(' ');
            if (space < 0 || space + 3 >= line.length() || line.charAt(space + 3) != 'x') continue;
            Mapping m = parse(line);
            if (m != null) out.add(m);
        }
        return new ProcessMaps(List.copyOf(out));
    }

    /**
     * "7f..-7f.. r-xp 00001000 08:01 1234   /usr/lib/x.so": fields cut by
     * hand, not by a regex split (which was a tenth of the recorder's CPU
     * while processes came and went); the path is the rest of the line and
     * may hold spaces.
     */
    static Mapping parse(String line) {
        int[] field = new int[2];
        int at = 0;
        long start, end, offset;
        boolean exec;
        try {
            if ((at = nextField(line, at, field)) < 0) return null;
            int dash = line.indexOf('-', field[0]);
            if (dash < 0 || dash >= field[1]) return null;
            start = Long.parseUnsignedLong(line, field[0], dash, 16);
            end = Long.parseUnsignedLong(line, dash + 1, field[1], 16);
            if ((at = nextField(line, at, field)) < 0) return null;
            exec = field[1] - field[0] >= 3 && line.charAt(field[0] + 2) == 'x';
            if ((at = nextField(line, at, field)) < 0) return null;
            offset = Long.parseUnsignedLong(line, field[0], field[1], 16);
        } catch (NumberFormatException e) {
            return null;
        }
        if ((at = nextField(line, at, field)) < 0 || (at = nextField(line, at, field)) < 0) return null; // dev, inode
        int from = at, to = line.length();
        while (from < to && Character.isWhitespace(line.charAt(from))) from++;
        while (to > from && Character.isWhitespace(line.charAt(to - 1))) to--;
        String path = from == to ? null : line.substring(from, to);
        if (path != null && path.endsWith(" (deleted)")) path = path.substring(0, path.length() - 10);
        if (path != null && path.isEmpty()) path = null;
        return new Mapping(start, end, offset, path, exec);
    }

    /** The next whitespace-separated field from at: its bounds in field[0..1]; returns where it ends, or -1. */
    private static int nextField(String line, int at, int[] field) {
        int n = line.length();
        while (at < n && Character.isWhitespace(line.charAt(at))) at++;
        if (at == n) return -1;
        int end = at;
        while (end < n && !Character.isWhitespace(line.charAt(end))) end++;
        field[0] = at;
        field[1] = end;
        return end;
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
