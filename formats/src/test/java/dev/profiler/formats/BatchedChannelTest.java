package dev.profiler.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pieces reach the file only when drained, whole and in order, however many and however big. */
class BatchedChannelTest {
    @TempDir Path tmp;

    @Test
    void piecesReachTheFileOnDrainInOrder() throws Exception {
        Path file = tmp.resolve("t");
        try (BatchedChannel ch = new BatchedChannel(FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE))) {
            byte[] expected = new byte[300_000];
            int at = 0;
            for (int i = 0; at < expected.length; i++) {
                int n = Math.min(expected.length - at, 1 + (i * 7919) % 20_000); // small and big pieces
                byte[] piece = new byte[n];
                for (int k = 0; k < n; k++) piece[k] = (byte) (at + k);
                System.arraycopy(piece, 0, expected, at, n);
                assertEquals(n, ch.write(ByteBuffer.wrap(piece)));
                at += n;
            }
            assertEquals(0, Files.size(file), "nothing written before the drain");
            ch.drain();
            assertArrayEquals(expected, Files.readAllBytes(file));
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            ch.drain();
            assertEquals(expected.length + 3, Files.size(file), "a second batch follows the first");
        }
    }
}
