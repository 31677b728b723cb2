package dev.profiler.recorder.bpf;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * native/sample_batch.c on records built here (no BPF needed): stacks
 * interned once across batches, threads reported once per batch with their
 * first/last sample, columns rewritten by the commit, bad records counted.
 */
class SampleBatchNativeTest {
    /** The sample_batch.h functions, exported by the same library the recorder loads. */
    interface SampleBatchLib extends Library {
        Pointer sb_new();
        void sb_free(Pointer b);
        void sb_reset(Pointer b);
        int sb_add(Pointer b, ByteBuffer rec, NativeLong size);
        int sb_rows(Pointer b);
        Pointer sb_column(Pointer b, int column);
        int sb_new_stack_count(Pointer b);
        Pointer sb_new_stacks(Pointer b, NativeLongByReference bytes);
        int sb_thread_count(Pointer b);
        Pointer sb_threads(Pointer b);
        long sb_undecodable(Pointer b);
        int sb_commit(Pointer b, long[] stackIds, int n, long weight);
    }

    static final SampleBatchLib LIB = Native.load("profilershim", SampleBatchLib.class);
    static final int EINVAL = 22;
    Pointer b;

    @BeforeEach
    void open() { b = LIB.sb_new(); }

    @AfterEach
    void close() { LIB.sb_free(b); }

    /** A struct prof_sample, laid out as bpf/profiler.h says. */
    static ByteBuffer sample(int cpu, long ts, int pid, int tid, String comm, long[] kernel, long[] user) {
        ByteBuffer r = ByteBuffer.allocateDirect(48 + 8 * (kernel.length + user.length)).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(0, 1).putInt(4, cpu).putLong(8, ts).putInt(16, pid).putInt(20, tid)
            .putShort(24, (short) kernel.length).putShort(26, (short) user.length).putInt(28, 0);
        byte[] name = comm.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < name.length && i < 15; i++) r.put(32 + i, name[i]);
        int p = 48;
        for (long ip : kernel) { r.putLong(p, ip); p += 8; }
        for (long ip : user) { r.putLong(p, ip); p += 8; }
        return r;
    }

    int add(ByteBuffer rec) { return LIB.sb_add(b, rec, new NativeLong(rec.capacity())); }

    StackDefs newStacks() {
        NativeLongByReference bytes = new NativeLongByReference();
        Pointer p = LIB.sb_new_stacks(b, bytes);
        int n = LIB.sb_new_stack_count(b);
        BpfRecords.StackDef[] out = new BpfRecords.StackDef[n];
        if (n > 0) {
            ByteBuffer buf = p.getByteBuffer(0, bytes.getValue().longValue()).order(ByteOrder.LITTLE_ENDIAN);
            int at = 0;
            for (int i = 0; i < n; i++) at = BpfRecords.decodeStack(buf, at, out, i);
            assertEquals(bytes.getValue().longValue(), at, "stack records fill exactly the bytes reported");
        }
        return new StackDefs(out);
    }

    record StackDefs(BpfRecords.StackDef[] defs) {}

    BpfRecords.ThreadSeen[] threads() {
        int n = LIB.sb_thread_count(b);
        BpfRecords.ThreadSeen[] out = new BpfRecords.ThreadSeen[n];
        if (n == 0) return out;
        ByteBuffer buf = LIB.sb_threads(b).getByteBuffer(0, (long) n * BpfRecords.THREAD_SEEN_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) out[i] = BpfRecords.decodeThread(buf, i * BpfRecords.THREAD_SEEN_BYTES);
        return out;
    }

    long[] longColumn(int c) {
        int rows = LIB.sb_rows(b);
        long[] v = new long[rows];
        if (rows > 0) LIB.sb_column(b, c).read(0, v, 0, rows);
        return v;
    }

    int[] intColumn(int c) {
        int rows = LIB.sb_rows(b);
        int[] v = new int[rows];
        if (rows > 0) LIB.sb_column(b, c).read(0, v, 0, rows);
        return v;
    }

    static final long[] K = {0xffffffff81000010L, 0xffffffff81000020L};
    static final long[] U = {0x401000L, 0x402000L};

    @Test
    void internsStacksReportsThreadsAndFillsColumnsOnCommit() {
        LIB.sb_reset(b);
        assertEquals(0, add(sample(0, 100, 10, 11, "a", K, U)));
        assertEquals(0, add(sample(1, 150, 10, 12, "b", K, U)));
        assertEquals(0, add(sample(0, 200, 10, 11, "a", K, U)));
        assertEquals(0, add(sample(1, 250, 20, 20, "c", new long[0], new long[] {1, 2, 3})));
        assertEquals(0, add(sample(0, 300, 10, 11, "a", K, U)));
        ByteBuffer tooDeep = sample(0, 1, 10, 11, "a", K, U);
        tooDeep.putShort(24, (short) 200);
        assertEquals(-EINVAL, add(tooDeep));
        ByteBuffer shorter = sample(0, 1, 10, 11, "a", K, U);
        assertEquals(-EINVAL, LIB.sb_add(b, shorter, new NativeLong(40)));
        ByteBuffer lies = sample(0, 1, 10, 11, "a", K, U);
        lies.putShort(26, (short) 5); // claims more user frames than the record holds
        assertEquals(-EINVAL, add(lies));

        assertEquals(5, LIB.sb_rows(b));
        assertEquals(3, LIB.sb_undecodable(b));
        BpfRecords.StackDef[] defs = newStacks().defs();
        assertEquals(2, defs.length);
        assertEquals(0, defs[0].rawId());
        assertEquals(10, defs[0].pid());
        assertArrayEquals(K, defs[0].kernelIps());
        assertArrayEquals(U, defs[0].userIps());
        assertEquals(1, defs[1].rawId());
        assertEquals(20, defs[1].pid());
        assertArrayEquals(new long[0], defs[1].kernelIps());
        assertArrayEquals(new long[] {1, 2, 3}, defs[1].userIps());

        BpfRecords.ThreadSeen[] t = threads();
        assertEquals(3, t.length);
        assertEquals(new BpfRecords.ThreadSeen(11, 10, 100, 300, "a"), t[0]);
        assertEquals(new BpfRecords.ThreadSeen(12, 10, 150, 150, "b"), t[1]);
        assertEquals(new BpfRecords.ThreadSeen(20, 20, 250, 250, "c"), t[2]);

        assertArrayEquals(new long[] {100, 150, 200, 250, 300}, longColumn(BpfRecords.COL_TS));
        assertArrayEquals(new int[] {0, 1, 0, 1, 0}, intColumn(BpfRecords.COL_CPU));
        assertArrayEquals(new int[] {10, 10, 10, 20, 10}, intColumn(BpfRecords.COL_PID));
        assertArrayEquals(new int[] {11, 12, 11, 20, 11}, intColumn(BpfRecords.COL_TID));
        assertArrayEquals(new long[] {0, 0, 0, 1, 0}, longColumn(BpfRecords.COL_STACK_ID), "raw ids before the commit");
        assertEquals(-EINVAL, LIB.sb_commit(b, new long[] {7}, 1, 1000), "one id per new stack");
        assertEquals(0, LIB.sb_commit(b, new long[] {7, 9}, 2, 1000));
        assertEquals(-EINVAL, LIB.sb_commit(b, new long[] {7, 9}, 2, 1000), "a batch is committed once");
        assertArrayEquals(new long[] {7, 7, 7, 9, 7}, longColumn(BpfRecords.COL_STACK_ID));
        assertArrayEquals(new long[] {1000, 1000, 1000, 1000, 1000}, longColumn(BpfRecords.COL_WEIGHT));

        // Next batch: the known stack is not reported again and keeps its id;
        // a renamed thread is reported with its new name; same addresses in
        // another process are another raw stack.
        LIB.sb_reset(b);
        assertEquals(0, add(sample(0, 400, 10, 11, "a2", K, U)));
        assertEquals(0, add(sample(0, 500, 30, 31, "d", K, U)));
        defs = newStacks().defs();
        assertEquals(1, defs.length);
        assertEquals(2, defs[0].rawId());
        assertEquals(30, defs[0].pid());
        t = threads();
        assertEquals(2, t.length);
        assertEquals(new BpfRecords.ThreadSeen(11, 10, 400, 400, "a2"), t[0]);
        assertEquals(0, LIB.sb_commit(b, new long[] {7}, 1, 5));
        assertArrayEquals(new long[] {7, 7}, longColumn(BpfRecords.COL_STACK_ID));
    }

    @Test
    void manyStacksAndThreadsSurviveTheTablesGrowing() {
        int n = 50_000, threads = 6_000;
        LIB.sb_reset(b);
        for (int i = 0; i < n; i++)
            assertEquals(0, add(sample(0, i, 1 + i % threads, 1 + i % threads, "t", K, new long[] {0x400000L + i})));
        assertEquals(n, LIB.sb_new_stack_count(b));
        assertEquals(threads, LIB.sb_thread_count(b));
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = 1_000_000L + i;
        assertEquals(0, LIB.sb_commit(b, ids, n, 1));

        // every stack again, in reverse: all known, each maps to its own id
        LIB.sb_reset(b);
        for (int i = n - 1; i >= 0; i--)
            assertEquals(0, add(sample(0, i, 1 + i % threads, 1 + i % threads, "t", K, new long[] {0x400000L + i})));
        assertEquals(0, LIB.sb_new_stack_count(b));
        assertEquals(threads, LIB.sb_thread_count(b));
        assertEquals(0, LIB.sb_commit(b, new long[0], 0, 1));
        long[] col = longColumn(BpfRecords.COL_STACK_ID);
        for (int r = 0; r < n; r++) assertEquals(1_000_000L + (n - 1 - r), col[r], "row " + r);
    }
}
