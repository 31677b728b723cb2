package dev.profiler.recorder.bpf;

import com.sun.jna.Pointer;
import dev.profiler.formats.BatchSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A capture table's record batches compressed, framed and written by the
 * shim (native/ipc_writer.c, ipc_writer_write_buffers) from the Arrow
 * buffers Java filled: for the tables whose rows Java makes (stacks,
 * frames, threads, interrupts, lock and futex waits). Their batch a second
 * through Arrow Java's serializer, flatbuffers and zstd-jni, code run too
 * rarely to be compiled early, was ~1 ms/s of the recorder's steady CPU
 * (docs/design.md, "The steady loop runs in C").
 */
public final class ShimBatchSink implements BatchSink {
    private final Pointer writer;
    private final Path file;
    private boolean closed;

    private ShimBatchSink(Pointer writer, Path file) {
        this.writer = writer;
        this.file = file;
    }

    /** A sink appending to file; the shim's library must be loaded (a BpfSession opened). */
    public static BatchSink open(Path file) throws IOException {
        try {
            BpfSession.library();
        } catch (BpfException e) {
            throw new IOException(e.getMessage(), e);
        }
        int[] error = new int[1];
        Pointer w = ShimLibrary.ipc_writer_open_stream(file.toString(), error);
        if (w == null) throw new IOException("cannot write " + file + ": " + ShimLibrary.pshim_strerror(error[0]));
        return new ShimBatchSink(w, file);
    }

    @Override
    public void write(ByteBuffer prefix, int rows, long[] nodes, long[] buffers) throws IOException {
        int rc = ShimLibrary.ipc_writer_write_buffers(writer, prefix.slice(), prefix.remaining(), rows,
            nodes.length / 2, nodes, buffers.length / 2, buffers);
        if (rc < 0) throw new IOException("writing " + file.getFileName() + ": " + ShimLibrary.pshim_strerror(-rc));
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        int rc = ShimLibrary.ipc_writer_close(writer, null);
        if (rc < 0) throw new IOException("writing " + file.getFileName() + ": " + ShimLibrary.pshim_strerror(-rc));
    }
}
