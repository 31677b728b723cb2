package dev.profiler.recorder;

import java.util.Arrays;

/**
 * Dense ids for 128-bit fingerprints, in the order they were added: the
 * symbolized stacks' index. It keeps 16 bytes and a slot per stack, where
 * keeping each stack's frame ids as the key cost ~400 bytes (a build's 20 s
 * at 4999 Hz: 81k stacks, 33 MB of heap). Written here because no map we
 * depend on takes a 128-bit key without an object per entry.
 */
final class FingerprintIndex {
    private long[] lows = new long[1024];
    private long[] highs = new long[1024];
    private int count;
    /** id + 1 per slot, 0 = empty; at most half full. */
    private int[] slots = new int[2048];

    /** The id of (low, high), or -1 if it was never added. */
    int find(long low, long high) {
        int mask = slots.length - 1;
        for (int i = slot(low, mask); slots[i] != 0; i = (i + 1) & mask) {
            int id = slots[i] - 1;
            if (lows[id] == low && highs[id] == high) return id;
        }
        return -1;
    }

    /** Adds (low, high), which must not be there yet; returns its id (the count before). */
    int add(long low, long high) {
        if (count == lows.length) {
            lows = Arrays.copyOf(lows, count * 2);
            highs = Arrays.copyOf(highs, count * 2);
        }
        int id = count++;
        lows[id] = low;
        highs[id] = high;
        if (count * 2 <= slots.length) place(id);
        else {
            slots = new int[slots.length * 2];
            for (int i = 0; i < count; i++) place(i);
        }
        return id;
    }

    int size() { return count; }

    private void place(int id) {
        int mask = slots.length - 1;
        int i = slot(lows[id], mask);
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = id + 1;
    }

    private static int slot(long low, int mask) {
        return (int) (low ^ (low >>> 32)) & mask; // the fingerprint is already a hash
    }
}
