package dev.profiler.recorder.unwind;

import java.util.Map;
import java.util.TreeMap;

/**
 * Free space of one BPF array, as runs of free elements: first fit, and a
 * freed run merges with its free neighbours. A recording loads a few
 * hundred tables at most, so a sorted map of runs is plenty.
 */
final class Extents {
    private final TreeMap<Long, Long> free = new TreeMap<>(); // start -> length
    private final long capacity;

    Extents(long first, long capacity) {
        this.capacity = capacity;
        if (capacity > first) free.put(first, capacity - first);
    }

    long capacity() { return capacity; }

    /** The start of a run of n free elements, now taken, or -1 if no run is that long. */
    long take(long n) {
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            if (e.getValue() < n) continue;
            long start = e.getKey(), len = e.getValue();
            free.remove(start);
            if (len > n) free.put(start + n, len - n);
            return start;
        }
        return -1;
    }

    /** Gives back a run taken before. */
    void give(long start, long n) {
        if (n <= 0) return;
        Map.Entry<Long, Long> before = free.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            n += before.getValue();
            free.remove(start);
        }
        Long after = free.get(start + n);
        if (after != null) {
            free.remove(start + n);
            n += after;
        }
        free.put(start, n);
    }
}
