package dev.profiler.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes a table's record batches, given as the Arrow buffers of its
 * vectors, at the end of the table's file: the recorder's shim does it in C
 * (native/ipc_writer.c: compression, framing, the batch's flatbuffer, one
 * write a batch), so that the JVM, which writes a few small batches a
 * second while recording, runs neither Arrow's serializer nor zstd for them
 * (see {@link TableWriter#writeBatchesThrough}).
 */
public interface BatchSink {
    /** Opens a sink that appends to file (its schema and dictionaries are written already). */
    interface Opener {
        BatchSink open(Path file) throws IOException;
    }

    /**
     * Writes prefix (whole IPC messages: the dictionaries that grew, a
     * direct buffer from its position to its limit) and one record batch of
     * rows rows, with one write. nodes: (length, null count) per field
     * node; buffers: (address, length) per buffer, uncompressed; both in
     * Arrow's order (a column's own, then its children's).
     */
    void write(ByteBuffer prefix, int rows, long[] nodes, long[] buffers) throws IOException;

    /** Ends the stream and closes the file. */
    void close() throws IOException;
}
