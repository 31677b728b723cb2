package dev.profiler.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.arrow.compression.ZstdCompressionCodec;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/**
 * The codec that keeps one zstd context writes what arrow-compression's
 * ZSTD codec reads and reads what it writes (so DuckDB and any Arrow reader
 * open our captures), buffer after buffer through the same context, for
 * compressible, incompressible (stored raw, length -1) and empty buffers.
 */
class ZstdContextCodecTest {
    private static byte[] bytes(ArrowBuf b) {
        byte[] out = new byte[(int) b.writerIndex()];
        b.getBytes(0, out);
        return out;
    }

    private static ArrowBuf buffer(BufferAllocator a, byte[] data) {
        ArrowBuf b = a.buffer(Math.max(1, data.length));
        b.setBytes(0, data);
        b.writerIndex(data.length);
        return b;
    }

    @Test
    void itsBuffersAreArrowsZstdBuffers() {
        Random r = new Random(42);
        byte[][] inputs = new byte[5][];
        inputs[0] = new byte[64 * 1024]; // timestamps-like: compressible
        for (int i = 0; i < inputs[0].length; i += 8) {
            long v = 1_000_000_000L + i * 1_000_000L;
            for (int k = 0; k < 8; k++) inputs[0][i + k] = (byte) (v >>> (8 * k));
        }
        inputs[1] = new byte[4096];
        r.nextBytes(inputs[1]); // random: stored raw
        inputs[2] = new byte[0];
        inputs[3] = "the same context, a second small buffer".repeat(20).getBytes();
        inputs[4] = new byte[3 * 1024 * 1024]; // zeros, bigger than any before
        try (BufferAllocator a = new RootAllocator(); ZstdContextCodec ours = new ZstdContextCodec()) {
            ZstdCompressionCodec arrows = new ZstdCompressionCodec();
            for (byte[] in : inputs) {
                ArrowBuf compressed = ours.compress(a, buffer(a, in));
                if (in.length == 4096) assertEquals(-1L, compressed.getLong(0), "incompressible: stored raw");
                else if (in.length > 0) assertTrue(compressed.writerIndex() < in.length, "compressed");
                ArrowBuf back = arrows.decompress(a, compressed);
                assertArrayEquals(in, bytes(back), "arrow-compression reads ours");
                back.close();

                ArrowBuf theirs = arrows.compress(a, buffer(a, in));
                ArrowBuf again = ours.decompress(a, theirs);
                assertArrayEquals(in, bytes(again), "ours reads arrow-compression's");
                again.close();
            }
        }
    }
}
