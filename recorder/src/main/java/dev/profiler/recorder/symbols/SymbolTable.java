package dev.profiler.recorder.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sorted address ranges with names: a binary search answers "which symbol
 * holds this address". Built once per module (kernel, ELF file, perf map).
 */
public final class SymbolTable {
    /** A symbol hit: its name and the address's distance from its start. */
    public record Hit(String name, long offset) {}

    private final long[] starts;
    private final long[] ends; // exclusive; 0 = unknown size (extends to the next symbol)
    private final String[] names;

    private SymbolTable(long[] starts, long[] ends, String[] names) {
        this.starts = starts;
        this.ends = ends;
        this.names = names;
    }

    public static final SymbolTable EMPTY = new SymbolTable(new long[0], new long[0], new String[0]);

    public int size() { return starts.length; }

    /** Collects symbols in any order; {@link #build} sorts them. */
    public static final class Builder {
        private final List<long[]> ranges = new ArrayList<>();
        private final List<String> names = new ArrayList<>();

        public void add(long start, long size, String name) {
            ranges.add(new long[] {start, size == 0 ? 0 : start + size, names.size()});
            names.add(name);
        }

        public SymbolTable build() {
            ranges.sort((a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0])
                // same start: keep the sized one, so lookups see a real extent
                : Long.compare(b[1], a[1]));
            long[] s = new long[ranges.size()], e = new long[ranges.size()];
            String[] n = new String[ranges.size()];
            int k = 0;
            for (long[] r : ranges) {
                if (k > 0 && s[k - 1] == r[0]) continue; // aliases: first (sized) wins
                s[k] = r[0];
                e[k] = r[1];
                n[k] = names.get((int) r[2]);
                k++;
            }
            return new SymbolTable(Arrays.copyOf(s, k), Arrays.copyOf(e, k), Arrays.copyOf(n, k));
        }
    }

    /** The symbol holding addr, or null. A symbol of unknown size holds up to the next one. */
    public Hit lookup(long addr) {
        int lo = 0, hi = starts.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], addr) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) return null;
        long end = ends[found];
        if (end != 0 && Long.compareUnsigned(addr, end) >= 0) return null;
        return new Hit(names[found], addr - starts[found]);
    }
}
