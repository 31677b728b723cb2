package dev.profiler.recorder.bpf;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What one poll drained, as the shim prepared it (native/sample_batch.c):
 * the new raw stacks and the threads seen, to be symbolized and described,
 * then, after {@link #commit}, the samples as ready-to-copy columns. Valid
 * until the next poll.
 */
public final class SampleBatch {
    private final ShimLibrary shim;
    private final Pointer handle;
    private final int rows;
    private final int newStacks;
    private final long newStackBytes;
    private final int threads;
    private boolean committed;

    SampleBatch(ShimLibrary shim, Pointer handle, long[] info) {
        this.shim = shim;
        this.handle = handle;
        this.rows = (int) info[0];
        this.newStacks = (int) info[1];
        this.newStackBytes = info[2];
        this.threads = (int) info[3];
    }

    public int rows() { return rows; }

    /** Raw stacks first seen in this batch, in raw id order. */
    public BpfRecords.StackDef[] newStacks() {
        BpfRecords.StackDef[] out = new BpfRecords.StackDef[newStacks];
        if (newStacks == 0) return out;
        ByteBuffer b = view(shim.pshim_batch_new_stacks(handle), newStackBytes);
        int at = 0;
        for (int i = 0; i < newStacks; i++) at = BpfRecords.decodeStack(b, at, out, i);
        return out;
    }

    /** Threads with samples in this batch, one per (tid, pid). */
    public BpfRecords.ThreadSeen[] threads() {
        BpfRecords.ThreadSeen[] out = new BpfRecords.ThreadSeen[threads];
        if (threads == 0) return out;
        ByteBuffer b = view(shim.pshim_batch_threads(handle), (long) threads * BpfRecords.THREAD_SEEN_BYTES);
        for (int i = 0; i < threads; i++) out[i] = BpfRecords.decodeThread(b, i * BpfRecords.THREAD_SEEN_BYTES);
        return out;
    }

    /**
     * Gives the stack_id of each new stack (same order as {@link #newStacks})
     * and the weight of every sample; the shim then fills those columns.
     */
    public void commit(long[] stackIds, long weight) throws BpfException {
        if (stackIds.length != newStacks)
            throw new IllegalArgumentException("expected " + newStacks + " stack ids, got " + stackIds.length);
        int rc = shim.pshim_batch_commit(handle, stackIds, stackIds.length, weight);
        if (rc < 0) throw new BpfException("the shim refused the batch's stack ids (errno " + -rc + ")");
        committed = true;
    }

    /** The sample columns, in samples-table order (after {@link #commit}). */
    public ByteBuffer[] columns() {
        if (!committed) throw new IllegalStateException("commit the batch first");
        ByteBuffer[] cols = new ByteBuffer[BpfRecords.COLUMN_WIDTHS.length];
        for (int c = 0; c < cols.length; c++)
            cols[c] = view(shim.pshim_batch_column(handle, c), (long) rows * BpfRecords.COLUMN_WIDTHS[c]);
        return cols;
    }

    private static ByteBuffer view(Pointer p, long bytes) {
        return p.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
