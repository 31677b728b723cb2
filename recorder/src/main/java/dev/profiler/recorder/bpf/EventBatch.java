package dev.profiler.recorder.bpf;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * What one poll drained, as the shim prepared it (native/event_batch.c):
 * the new raw stacks and the threads seen, to be symbolized and described,
 * then, after {@link #commit}, each table's rows as ready-to-copy columns.
 * Valid until the next poll.
 */
public final class EventBatch {
    /** Layout of pshim_batch_info's output. */
    static final int INFO_NEW_STACKS = BpfRecords.TABLE_COUNT, INFO_NEW_STACK_BYTES = INFO_NEW_STACKS + 1,
        INFO_THREADS = INFO_NEW_STACKS + 2, INFO_UNDECODABLE = INFO_NEW_STACKS + 3, INFO_NEW_NAMES = INFO_NEW_STACKS + 4,
        INFO_NEW_NAME_BYTES = INFO_NEW_STACKS + 5, INFO_PROCS = INFO_NEW_STACKS + 6, INFO_LENGTH = INFO_NEW_STACKS + 7;

    private final Pointer handle;
    private final int[] rows = new int[BpfRecords.TABLE_COUNT];
    private final int newStacks;
    private final long newStackBytes;
    private final int threads;
    private final int newNames;
    private final long newNameBytes;
    private final int procs;
    private boolean committed;

    EventBatch(Pointer handle, long[] info) {
        this.handle = handle;
        for (int t = 0; t < rows.length; t++) rows[t] = (int) info[t];
        this.newStacks = (int) info[INFO_NEW_STACKS];
        this.newStackBytes = info[INFO_NEW_STACK_BYTES];
        this.threads = (int) info[INFO_THREADS];
        this.newNames = (int) info[INFO_NEW_NAMES];
        this.newNameBytes = info[INFO_NEW_NAME_BYTES];
        this.procs = (int) info[INFO_PROCS];
    }

    /** Process and thread lifecycle events of this batch (fork, exec, exit), in ring order. */
    public BpfRecords.ProcEvent[] procEvents() {
        BpfRecords.ProcEvent[] out = new BpfRecords.ProcEvent[procs];
        if (procs == 0) return out;
        ByteBuffer b = view(ShimLibrary.pshim_batch_procs(handle), (long) procs * BpfRecords.PROC_BYTES);
        for (int i = 0; i < procs; i++) out[i] = BpfRecords.decodeProc(b, i * BpfRecords.PROC_BYTES);
        return out;
    }

    /** Names (interrupt handlers) first seen in this batch, by the id the irq rows carry. */
    public Map<Integer, String> newNames() {
        if (newNames == 0) return Map.of();
        return BpfRecords.decodeNames(view(ShimLibrary.pshim_batch_new_names(handle), newNameBytes), newNames);
    }

    /** Rows of one table (BpfRecords.TABLE_*). */
    public int rows(int table) { return rows[table]; }

    /** Raw stacks first seen in this batch, in raw id order. */
    public BpfRecords.StackDef[] newStacks() {
        BpfRecords.StackDef[] out = new BpfRecords.StackDef[newStacks];
        if (newStacks == 0) return out;
        ByteBuffer b = view(ShimLibrary.pshim_batch_new_stacks(handle), newStackBytes);
        int at = 0;
        for (int i = 0; i < newStacks; i++) at = BpfRecords.decodeStack(b, at, out, i);
        return out;
    }

    /** Threads with samples or scheduler events in this batch, one per (tid, pid). */
    public BpfRecords.ThreadSeen[] threads() {
        BpfRecords.ThreadSeen[] out = new BpfRecords.ThreadSeen[threads];
        if (threads == 0) return out;
        ByteBuffer b = view(ShimLibrary.pshim_batch_threads(handle), (long) threads * BpfRecords.THREAD_SEEN_BYTES);
        for (int i = 0; i < threads; i++) out[i] = BpfRecords.decodeThread(b, i * BpfRecords.THREAD_SEEN_BYTES);
        return out;
    }

    /**
     * Gives the stack_id of each new stack (same order as {@link #newStacks})
     * and the weight of every sample; the shim then rewrites the stack
     * columns and fills the weights.
     */
    public void commit(long[] stackIds, long weight) throws BpfException {
        if (stackIds.length != newStacks)
            throw new IllegalArgumentException("expected " + newStacks + " stack ids, got " + stackIds.length);
        int rc = ShimLibrary.pshim_batch_commit(handle, stackIds, stackIds.length, weight);
        if (rc < 0) throw new BpfException("the shim refused the batch's stack ids (errno " + -rc + ")");
        committed = true;
    }

    /** One table's columns, in capture-table order (after {@link #commit}; the table has rows). */
    public ByteBuffer[] columns(int table) {
        if (!committed) throw new IllegalStateException("commit the batch first");
        if (rows[table] == 0) throw new IllegalStateException("table " + table + " has no rows in this batch");
        int[] widths = BpfRecords.COLUMN_WIDTHS[table];
        ByteBuffer[] cols = new ByteBuffer[widths.length];
        for (int c = 0; c < cols.length; c++)
            cols[c] = view(ShimLibrary.pshim_batch_column(handle, table, c), (long) rows[table] * widths[c]);
        return cols;
    }

    private static ByteBuffer view(Pointer p, long bytes) {
        return p.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
