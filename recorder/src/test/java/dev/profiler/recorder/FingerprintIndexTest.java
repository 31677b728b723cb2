package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The stacks' index: dense ids in order, through its growth, and 128 bits compared, not 64. */
class FingerprintIndexTest {
    @Test
    void givesDenseIdsAndFindsEveryOneAfterGrowing() {
        FingerprintIndex index = new FingerprintIndex();
        SplittableRandom random = new SplittableRandom(7);
        int n = 300_000; // grows from 1024 ids and 2048 slots many times
        long[] lows = new long[n], highs = new long[n];
        for (int i = 0; i < n; i++) {
            lows[i] = random.nextLong();
            highs[i] = random.nextLong();
            assertEquals(-1, index.find(lows[i], highs[i]));
            assertEquals(i, index.add(lows[i], highs[i]));
        }
        assertEquals(n, index.size());
        for (int i = 0; i < n; i++) assertEquals(i, index.find(lows[i], highs[i]), "id " + i);
    }

    @Test
    void fingerprintsThatShareTheirLowHalfAreDifferentStacks() {
        FingerprintIndex index = new FingerprintIndex();
        for (int i = 0; i < 5000; i++) assertEquals(i, index.add(42, i)); // one slot chain, every entry
        for (int i = 0; i < 5000; i++) assertEquals(i, index.find(42, i));
        assertEquals(-1, index.find(42, 5000));
        assertEquals(-1, index.find(43, 0));
    }
}
