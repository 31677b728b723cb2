package dev.profiler.recorder.bpf;

import com.sun.jna.Pointer;
import dev.profiler.formats.CaptureTable;
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
    /** Layout of pshim_batch_info's output: each table's rows, then these, counted from the table count. */
    static final int INFO_NEW_STACKS = 0, INFO_NEW_STACK_BYTES = 1, INFO_THREADS = 2, INFO_UNDECODABLE = 3,
        INFO_NEW_NAMES = 4, INFO_NEW_NAME_BYTES = 5, INFO_PROCS = 6, INFO_AFTER_TABLES = 7;

    private final Pointer handle;
    private final BatchLayout layout;
    private final int[] rows;
    private final int newStacks;
    private final long newStackBytes;
    private final int threads;
    private final int newNames;
    private final long newNameBytes;
    private final int procs;
    private boolean committed;

    EventBatch(Pointer handle, BatchLayout layout, long[] info) {
        this.handle = handle;
        this.layout = layout;
        int tables = layout.tables().size();
        rows = new int[tables];
        for (int t = 0; t < tables; t++) rows[t] = (int) info[t];
        this.newStacks = (int) info[tables + INFO_NEW_STACKS];
        this.newStackBytes = info[tables + INFO_NEW_STACK_BYTES];
        this.threads = (int) info[tables + INFO_THREADS];
        this.newNames = (int) info[tables + INFO_NEW_NAMES];
        this.newNameBytes = info[tables + INFO_NEW_NAME_BYTES];
        this.procs = (int) info[tables + INFO_PROCS];
    }

    /** Length of pshim_batch_info's output for a layout. */
    static int infoLength(BatchLayout layout) { return layout.tables().size() + INFO_AFTER_TABLES; }

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

    /** Rows of a capture table in this batch (0 for a table no batch fills). */
    public int rows(CaptureTable table) {
        BatchLayout.Table t = layout.table(table);
        return t == null ? 0 : rows[t.index()];
    }

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

    /** A capture table's columns as the shim filled them (after {@link #commit}; the table has rows). */
    public BatchColumns columns(CaptureTable table) {
        if (!committed) throw new IllegalStateException("commit the batch first");
        BatchLayout.Table t = layout.table(table);
        int n = t == null ? 0 : rows[t.index()];
        if (n == 0) throw new IllegalStateException(table.tableName() + " has no rows in this batch");
        ByteBuffer[] cols = new ByteBuffer[t.widths().length];
        for (int c = 0; c < cols.length; c++)
            cols[c] = view(ShimLibrary.pshim_batch_column(handle, t.index(), c), (long) n * t.widths()[c]);
        return new BatchColumns(t, n, cols);
    }

    private static ByteBuffer view(Pointer p, long bytes) {
        return p.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
