package dev.profiler.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Collects what Arrow's stream writer writes for one record batch (a
 * 4-byte marker, the metadata, then each buffer and its padding: ~25 small
 * writes a batch) and hands it to the file in one write when the batch is
 * done ({@link #drain}). A write system call per piece was ~100 calls a
 * second for a recording's few tables; the file still gets each batch
 * whole, once a second at the latest, so a recorder killed at any moment
 * leaves every batch before that moment readable.
 */
final class BatchedChannel implements WritableByteChannel {
    private final FileChannel file;
    private ByteBuffer pending = ByteBuffer.allocateDirect(64 * 1024);

    BatchedChannel(FileChannel file) {
        this.file = file;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        if (pending.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(pending.capacity() * 2, pending.position() + n));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(src);
        return n;
    }

    /** Writes everything collected since the last drain to the file. */
    void drain() throws IOException {
        pending.flip();
        try {
            while (pending.hasRemaining()) file.write(pending);
        } finally {
            pending.clear();
        }
    }

    /**
     * What was collected since the last drain (position 0 to limit), for a
     * writer that writes it itself; {@link #discardCollected} after.
     */
    ByteBuffer collected() {
        pending.flip();
        return pending;
    }

    void discardCollected() {
        pending.clear();
    }

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    @Override
    public void close() throws IOException {
        try {
            drain();
        } finally {
            file.close();
        }
    }
}
