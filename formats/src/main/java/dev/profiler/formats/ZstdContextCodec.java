package dev.profiler.formats;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.AbstractCompressionCodec;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * Arrow IPC's ZSTD buffer compression (the same bytes as arrow-compression's
 * codec, level 3) through one zstd context kept for every buffer, instead of
 * a context set up and torn down per buffer: zstd-jni's one-shot compress
 * (what arrow-compression calls) allocates and clears a fresh workspace
 * each time, which was ~1.3 ms per second of the recorder's poll thread for
 * a few dozen small buffers a second (bench/steady-cost).
 *
 * Written by hand because arrow-compression has no codec that keeps its
 * context; the framing (the 8-byte uncompressed length, or -1 and the raw
 * bytes where compression does not pay) is AbstractCompressionCodec's.
 *
 * Not thread-safe: one codec per writing thread (a CaptureWriter's).
 */
final class ZstdContextCodec extends AbstractCompressionCodec implements AutoCloseable {
    static final int LEVEL = 3;

    private final ZstdCompressCtx context = new ZstdCompressCtx().setLevel(LEVEL);

    /** A factory handing out this one codec for ZSTD (and Arrow's no-op codec otherwise). */
    CompressionCodec.Factory factory() {
        ZstdContextCodec codec = this;
        return new CompressionCodec.Factory() {
            @Override
            public CompressionCodec createCodec(CompressionUtil.CodecType type) {
                return type == CompressionUtil.CodecType.ZSTD ? codec : CompressionCodec.Factory.INSTANCE.createCodec(type);
            }

            @Override
            public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
                return createCodec(type);
            }
        };
    }

    @Override
    protected ArrowBuf doCompress(BufferAllocator allocator, ArrowBuf uncompressed) {
        long srcSize = uncompressed.writerIndex();
        long bound = Zstd.compressBound(srcSize);
        ArrowBuf out = allocator.buffer(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH + bound);
        ByteBuffer dst = out.nioBuffer(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, (int) bound);
        ByteBuffer src = uncompressed.nioBuffer(0, (int) srcSize);
        int written = context.compressDirectByteBuffer(dst, 0, (int) bound, src, 0, (int) srcSize);
        out.writerIndex(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH + written);
        return out;
    }

    @Override
    protected ArrowBuf doDecompress(BufferAllocator allocator, ArrowBuf compressed) {
        long length = readUncompressedLength(compressed);
        ArrowBuf out = allocator.buffer(length);
        long n = Zstd.decompressUnsafe(out.memoryAddress(), length,
            compressed.memoryAddress() + CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH,
            compressed.writerIndex() - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH);
        if (Zstd.isError(n)) {
            out.close();
            throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
        }
        out.writerIndex(length);
        return out;
    }

    @Override
    public CompressionUtil.CodecType getCodecType() {
        return CompressionUtil.CodecType.ZSTD;
    }

    @Override
    public void close() {
        context.close();
    }
}
