package dev.profiler.recorder.symbols;

import com.carrotsearch.hppc.sorting.IndirectSort;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sorted address ranges with names: a binary search answers "which symbol
 * holds this address". Built once per module (kernel, ELF file, perf map).
 *
 * Names are decoded only when a lookup hits them: a module has tens of
 * thousands of symbols and a recording touches a few hundred, so decoding
 * them all was most of the cost of loading kallsyms or libjvm.so.
 */
public final class SymbolTable {
    /** A symbol hit: its name and the address's distance from its start. */
    public record Hit(String name, long offset) {}

    /** Decodes the name a symbol refers to (an offset into a string table, an index into a list...). */
    public interface Names {
        String name(int ref);
    }

    private final long[] starts;
    private final long[] ends; // exclusive; 0 = unknown size (extends to the next symbol)
    private final int[] nameRefs;
    private final Names names;

    private SymbolTable(long[] starts, long[] ends, int[] nameRefs, Names names) {
        this.starts = starts;
        this.ends = ends;
        this.nameRefs = nameRefs;
        this.names = names;
    }

    public static final SymbolTable EMPTY = new SymbolTable(new long[0], new long[0], new int[0], ref -> null);

    public int size() { return starts.length; }

    /**
     * A table of symbols of unknown size, already sorted by start (unsigned)
     * with one symbol per start: each holds up to the next.
     */
    public static SymbolTable ofSorted(long[] starts, int[] nameRefs, Names names) {
        if (starts.length != nameRefs.length) throw new IllegalArgumentException("one name per start");
        return new SymbolTable(starts, new long[starts.length], nameRefs, names);
    }

    /** Collects symbols in any order; {@link #build} sorts them. */
    public static final class Builder {
        private final Names names;
        private final List<String> ownNames; // for add(start, size, String)
        private long[] starts = new long[1024], ends = new long[1024];
        private int[] refs = new int[1024];
        private int n;

        /** A builder whose names are refs into {@code names}. */
        public Builder(Names names) {
            this.names = names;
            this.ownNames = null;
        }

        /** A builder that keeps the names it is given. */
        public Builder() {
            this.ownNames = new ArrayList<>();
            this.names = ownNames::get;
        }

        public void add(long start, long size, String name) {
            ownNames.add(name);
            add(start, size, ownNames.size() - 1);
        }

        public void add(long start, long size, int nameRef) {
            if (n == starts.length) {
                starts = Arrays.copyOf(starts, n * 2);
                ends = Arrays.copyOf(ends, n * 2);
                refs = Arrays.copyOf(refs, n * 2);
            }
            starts[n] = start;
            ends[n] = size == 0 ? 0 : start + size;
            refs[n] = nameRef;
            n++;
        }

        public SymbolTable build() {
            boolean sorted = true;
            for (int i = 1; i < n && sorted; i++)
                if (Long.compareUnsigned(starts[i - 1], starts[i]) > 0) sorted = false;
            int[] order;
            if (!sorted || hasSameStarts())
                // same start: the sized symbol first, so lookups see a real extent. A stable
                // sort of int indexes: over boxed Integers it was ~3% of the recorder's CPU in
                // a build's recording (a symbol table per new binary) and ~40 ms of kallsyms'.
                order = IndirectSort.mergesort(0, n, (a, b) -> starts[a] != starts[b]
                    ? Long.compareUnsigned(starts[a], starts[b]) : Long.compare(ends[b], ends[a]));
            else {
                order = new int[n];
                for (int i = 0; i < n; i++) order[i] = i;
            }
            long[] s = new long[n], e = new long[n];
            int[] r = new int[n];
            int k = 0;
            for (int i : order) {
                if (k > 0 && s[k - 1] == starts[i]) continue; // aliases: the first (sized) one wins
                s[k] = starts[i];
                e[k] = ends[i];
                r[k] = refs[i];
                k++;
            }
            return new SymbolTable(Arrays.copyOf(s, k), Arrays.copyOf(e, k), Arrays.copyOf(r, k), names);
        }

        private boolean hasSameStarts() {
            for (int i = 1; i < n; i++)
                if (starts[i - 1] == starts[i]) return true;
            return false;
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
        return new Hit(names.name(nameRefs[found]), addr - starts[found]);
    }
}
