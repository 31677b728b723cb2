package dev.profiler.recorder.bpf;

import static org.junit.jupiter.api.Assertions.*;

import dev.profiler.formats.CaptureTable;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import dev.profiler.formats.CaptureTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * native/event_batch.c on records built here (no BPF needed): stacks
 * interned once across batches, threads reported in the batch they are new
 * in and kept with their first/last event and latest name for the stop, columns rewritten by the commit, scheduler records
 * decoded (task states lettered as the kernel does), bad records counted.
 */
class EventBatchNativeTest {
    /** The event_batch.h functions, exported by the same library the recorder loads. */
    interface EventBatchLib extends Library {
        Pointer eb_new();
        void eb_free(Pointer b);
        void eb_reset(Pointer b);
        int eb_add(Pointer b, ByteBuffer rec, NativeLong size);
        int eb_rows(Pointer b, int table);
        Pointer eb_column(Pointer b, int table, int column);
        int eb_new_stack_count(Pointer b);
        Pointer eb_new_stacks(Pointer b, NativeLongByReference bytes);
        int eb_thread_count(Pointer b);
        Pointer eb_threads(Pointer b);
        int eb_all_thread_count(Pointer b);
        Pointer eb_all_threads(Pointer b);
        long eb_undecodable(Pointer b);
        int eb_commit(Pointer b, long[] stackIds, int n, long weight);
        int eb_task_state_index(int prevState, int exitState, int preempt);
        int eb_new_name_count(Pointer b);
        Pointer eb_new_names(Pointer b, NativeLongByReference bytes);
    }

    static final EventBatchLib LIB = Native.load("profilershim", EventBatchLib.class);
    static final int EINVAL = 22;
    Pointer b;

    @BeforeEach
    void open() { b = LIB.eb_new(); }

    @AfterEach
    void close() { LIB.eb_free(b); }

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

    int add(ByteBuffer rec) { return LIB.eb_add(b, rec, new NativeLong(rec.capacity())); }

    StackDefs newStacks() {
        NativeLongByReference bytes = new NativeLongByReference();
        Pointer p = LIB.eb_new_stacks(b, bytes);
        int n = LIB.eb_new_stack_count(b);
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

    /** The threads new in this batch. */
    BpfRecords.ThreadSeen[] threads() { return threads(LIB.eb_thread_count(b), LIB.eb_threads(b)); }

    /** Every thread so far. */
    BpfRecords.ThreadSeen[] allThreads() { return threads(LIB.eb_all_thread_count(b), LIB.eb_all_threads(b)); }

    static BpfRecords.ThreadSeen[] threads(int n, Pointer list) {
        BpfRecords.ThreadSeen[] out = new BpfRecords.ThreadSeen[n];
        if (n == 0) return out;
        ByteBuffer buf = list.getByteBuffer(0, (long) n * BpfRecords.THREAD_SEEN_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) out[i] = BpfRecords.decodeThread(buf, i * BpfRecords.THREAD_SEEN_BYTES);
        return out;
    }

    long[] longColumn(String c) { return longColumn(CaptureTable.SAMPLES, c); }

    int[] intColumn(String c) { return intColumn(CaptureTable.SAMPLES, c); }

    /** Rows of a batch table, found by the capture table it fills (bpf/profiler.h, through BatchLayout). */
    int rows(CaptureTable table) { return LIB.eb_rows(b, layout().table(table).index()); }

    /** A column of a batch table by name, as the shim laid it out. */
    Pointer column(CaptureTable table, String c) {
        BatchLayout.Table t = layout().table(table);
        return LIB.eb_column(b, t.index(), t.column(c));
    }

    long[] longColumn(CaptureTable table, String c) {
        long[] v = new long[rows(table)];
        if (v.length > 0) column(table, c).read(0, v, 0, v.length);
        return v;
    }

    int[] intColumn(CaptureTable table, String c) {
        int[] v = new int[rows(table)];
        if (v.length > 0) column(table, c).read(0, v, 0, v.length);
        return v;
    }

    byte[] byteColumn(CaptureTable table, String c) {
        byte[] v = new byte[rows(table)];
        if (v.length > 0) column(table, c).read(0, v, 0, v.length);
        return v;
    }

    static BatchLayout layout() {
        try {
            return BpfSession.layout();
        } catch (BpfException e) {
            throw new IllegalStateException(e);
        }
    }

    static final long[] K = {0xffffffff81000010L, 0xffffffff81000020L};
    static final long[] U = {0x401000L, 0x402000L};

    @Test
    void internsStacksReportsThreadsAndFillsColumnsOnCommit() {
        LIB.eb_reset(b);
        assertEquals(0, add(sample(0, 100, 10, 11, "a", K, U)));
        assertEquals(0, add(sample(1, 150, 10, 12, "b", K, U)));
        assertEquals(0, add(sample(0, 200, 10, 11, "a", K, U)));
        assertEquals(0, add(sample(1, 250, 20, 20, "c", new long[0], new long[] {1, 2, 3})));
        assertEquals(0, add(sample(0, 300, 10, 11, "a", K, U)));
        ByteBuffer tooDeep = sample(0, 1, 10, 11, "a", K, U);
        tooDeep.putShort(24, (short) 200);
        assertEquals(-EINVAL, add(tooDeep));
        ByteBuffer shorter = sample(0, 1, 10, 11, "a", K, U);
        assertEquals(-EINVAL, LIB.eb_add(b, shorter, new NativeLong(40)));
        ByteBuffer lies = sample(0, 1, 10, 11, "a", K, U);
        lies.putShort(26, (short) 5); // claims more user frames than the record holds
        assertEquals(-EINVAL, add(lies));

        assertEquals(5, rows(CaptureTable.SAMPLES));
        assertEquals(3, LIB.eb_undecodable(b));
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

        assertArrayEquals(new long[] {100, 150, 200, 250, 300}, longColumn("ts"));
        assertArrayEquals(new int[] {0, 1, 0, 1, 0}, intColumn("cpu"));
        assertArrayEquals(new int[] {10, 10, 10, 20, 10}, intColumn("pid"));
        assertArrayEquals(new int[] {11, 12, 11, 20, 11}, intColumn("tid"));
        assertArrayEquals(new long[] {0, 0, 0, 1, 0}, longColumn("stack_id"), "raw ids before the commit");
        assertEquals(-EINVAL, LIB.eb_commit(b, new long[] {7}, 1, 1000), "one id per new stack");
        assertEquals(0, LIB.eb_commit(b, new long[] {7, 9}, 2, 1000));
        assertEquals(-EINVAL, LIB.eb_commit(b, new long[] {7, 9}, 2, 1000), "a batch is committed once");
        assertArrayEquals(new long[] {7, 7, 7, 9, 7}, longColumn("stack_id"));
        assertArrayEquals(new long[] {1000, 1000, 1000, 1000, 1000}, longColumn("weight"));

        // Next batch: the known stack is not reported again and keeps its id;
        // a known thread is not reported again (its new name and last time
        // are kept for the stop); same addresses in another process are
        // another raw stack; a tid under another pid is a new thread.
        LIB.eb_reset(b);
        assertEquals(0, add(sample(0, 400, 10, 11, "a2", K, U)));
        assertEquals(0, add(sample(0, 500, 30, 31, "d", K, U)));
        assertEquals(0, add(sample(0, 600, 40, 12, "e", K, U)));
        defs = newStacks().defs();
        assertEquals(2, defs.length);
        assertEquals(2, defs[0].rawId());
        assertEquals(30, defs[0].pid());
        t = threads();
        assertArrayEquals(new BpfRecords.ThreadSeen[] {new BpfRecords.ThreadSeen(31, 30, 500, 500, "d"),
            new BpfRecords.ThreadSeen(12, 40, 600, 600, "e")}, t);
        assertEquals(0, LIB.eb_commit(b, new long[] {7, 8}, 2, 5));
        assertArrayEquals(new long[] {7, 7, 8}, longColumn("stack_id"));
        assertArrayEquals(new BpfRecords.ThreadSeen[] {new BpfRecords.ThreadSeen(11, 10, 100, 400, "a2"),
            new BpfRecords.ThreadSeen(12, 10, 150, 150, "b"), new BpfRecords.ThreadSeen(20, 20, 250, 250, "c"),
            new BpfRecords.ThreadSeen(31, 30, 500, 500, "d"), new BpfRecords.ThreadSeen(12, 40, 600, 600, "e")},
            allThreads(), "every thread for the stop, tid 12's earlier thread before its later one");

        LIB.eb_reset(b);
        assertEquals(0, add(sample(0, 700, 10, 11, "a2", K, U)));
        assertEquals(0, threads().length, "nothing new");
        assertEquals(0, newStacks().defs().length);
    }

    @Test
    void manyStacksAndThreadsSurviveTheTablesGrowing() {
        int n = 50_000, threads = 6_000;
        LIB.eb_reset(b);
        for (int i = 0; i < n; i++)
            assertEquals(0, add(sample(0, i, 1 + i % threads, 1 + i % threads, "t", K, new long[] {0x400000L + i})));
        assertEquals(n, LIB.eb_new_stack_count(b));
        assertEquals(threads, LIB.eb_thread_count(b));
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = 1_000_000L + i;
        assertEquals(0, LIB.eb_commit(b, ids, n, 1));

        // every stack again, in reverse: all known, each maps to its own id
        LIB.eb_reset(b);
        for (int i = n - 1; i >= 0; i--)
            assertEquals(0, add(sample(0, i, 1 + i % threads, 1 + i % threads, "t", K, new long[] {0x400000L + i})));
        assertEquals(0, LIB.eb_new_stack_count(b));
        assertEquals(0, LIB.eb_thread_count(b), "every thread known");
        assertEquals(threads, LIB.eb_all_thread_count(b));
        assertEquals(0, LIB.eb_commit(b, new long[0], 0, 1));
        long[] col = longColumn("stack_id");
        for (int r = 0; r < n; r++) assertEquals(1_000_000L + (n - 1 - r), col[r], "row " + r);
    }

    /** A struct prof_switch, with an off-CPU stack (kernel addresses, then user ones) or none. */
    static ByteBuffer switchRecord(int cpu, long ts, int prevTid, int prevPid, String prevComm, int prevState,
                                   int exitState, boolean preempt, int nextTid, int nextPid, String nextComm,
                                   long[] kernel, long[] user) {
        ByteBuffer r = ByteBuffer.allocateDirect(80 + 8 * (kernel.length + user.length)).order(ByteOrder.LITTLE_ENDIAN);
        r.putShort(72, (short) kernel.length).putShort(74, (short) user.length);
        int p = 80;
        for (long ip : kernel) { r.putLong(p, ip); p += 8; }
        for (long ip : user) { r.putLong(p, ip); p += 8; }
        r.putInt(0, 2).putInt(4, cpu).putLong(8, ts).putInt(16, prevTid).putInt(20, prevPid).putInt(24, nextTid)
            .putInt(28, nextPid).putInt(32, prevState).putShort(36, (short) exitState).put(38, (byte) (preempt ? 1 : 0));
        putComm(r, 40, prevComm);
        putComm(r, 56, nextComm);
        r.putShort(76, (short) -1).putShort(78, (short) 0xffff); // no system call, no futex op: as BPF writes them
        return r;
    }

    /** A switch-out of a thread blocked in a system call (futexOp: 0xffff for none), as fill_wait_context reads it. */
    static ByteBuffer blockingSwitchRecord(int cpu, long ts, int prevTid, int prevPid, String prevComm, int prevState,
                                           int syscall, int futexOp, boolean iowait) {
        ByteBuffer r = switchRecord(cpu, ts, prevTid, prevPid, prevComm, prevState, 0, false, 0, 0, "swapper/" + cpu);
        r.put(39, (byte) (iowait ? 1 : 0)).putShort(76, (short) syscall).putShort(78, (short) futexOp);
        return r;
    }

    static ByteBuffer switchRecord(int cpu, long ts, int prevTid, int prevPid, String prevComm, int prevState,
                                   int exitState, boolean preempt, int nextTid, int nextPid, String nextComm) {
        return switchRecord(cpu, ts, prevTid, prevPid, prevComm, prevState, exitState, preempt, nextTid, nextPid,
            nextComm, new long[0], new long[0]);
    }

    /** A struct prof_wakeup, woken by a task (waker_context -1). */
    static ByteBuffer wakeupRecord(int cpu, long ts, int tid, int pid, int wakerTid, int targetCpu, int kind) {
        return wakeupRecord(cpu, ts, tid, pid, wakerTid, targetCpu, kind, -1);
    }

    static ByteBuffer wakeupRecord(int cpu, long ts, int tid, int pid, int wakerTid, int targetCpu, int kind,
                                   int wakerContext) {
        ByteBuffer r = ByteBuffer.allocateDirect(40).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(0, 3).putInt(4, cpu).putLong(8, ts).putInt(16, tid).putInt(20, pid).putInt(24, wakerTid)
            .putInt(28, targetCpu).putInt(32, kind).putInt(36, wakerContext);
        return r;
    }

    static void putComm(ByteBuffer r, int at, String comm) {
        byte[] name = comm.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < name.length && i < 15; i++) r.put(at + i, name[i]);
    }

    String state(int prevState, int exitState, boolean preempt) {
        return BpfRecords.TASK_STATES.get(LIB.eb_task_state_index(prevState, exitState, preempt ? 1 : 0));
    }

    @Test
    void taskStatesAreLetteredAsTheKernelDoes() {
        assertEquals("R", state(0x0, 0, false));
        assertEquals("R", state(0x1, 0, true), "a preempted task is runnable whatever its state bits");
        assertEquals("S", state(0x1, 0, false));
        assertEquals("D", state(0x2, 0, false));
        assertEquals("T", state(0x4, 0, false));
        assertEquals("t", state(0x8, 0, false));
        assertEquals("X", state(0x80, 0x10, false), "TASK_DEAD with EXIT_DEAD");
        assertEquals("Z", state(0x80, 0x20, false), "TASK_DEAD with EXIT_ZOMBIE");
        assertEquals("P", state(0x40, 0, false));
        assertEquals("I", state(0x402, 0, false), "TASK_IDLE = UNINTERRUPTIBLE | NOLOAD");
        assertEquals("D", state(0x1000, 0, false), "TASK_RTLOCK_WAIT");
        assertEquals("S", state(0x1 | 0x100, 0, false), "TASK_KILLABLE bits beyond TASK_REPORT are ignored");
    }

    @Test
    void switchesAndWakeupsBecomeColumnsAndNameTheirThreads() {
        LIB.eb_reset(b);
        assertEquals(0, add(wakeupRecord(0, 90, 21, 20, 11, 1, 0)));
        assertEquals(0, add(switchRecord(1, 100, 0, 0, "swapper/1", 0, 0, false, 21, 20, "pong")));
        assertEquals(0, add(blockingSwitchRecord(0, 110, 11, 10, "ping", 0x1, 202, 128, false)));
        assertEquals(0, add(wakeupRecord(1, 120, 11, 10, 21, 0, 1, 2)));
        assertEquals(0, add(switchRecord(1, 130, 21, 20, "pong2", 0x0, 0, true, 11, 10, "ping")));
        assertEquals(-EINVAL, add(wakeupRecord(1, 140, 11, 10, 21, 0, 7)), "unknown wake kind");
        ByteBuffer cut = switchRecord(1, 150, 21, 20, "pong", 0, 0, false, 11, 10, "ping");
        assertEquals(-EINVAL, LIB.eb_add(b, cut, new NativeLong(50)), "switch record cut short");
        ByteBuffer lies = switchRecord(1, 150, 21, 20, "pong", 0, 0, false, 11, 10, "ping", K, U);
        assertEquals(-EINVAL, LIB.eb_add(b, lies, new NativeLong(80 + 8)), "stack longer than the record");
        assertEquals(3, LIB.eb_undecodable(b));

        assertEquals(3, rows(CaptureTable.SCHED_SWITCH));
        assertEquals(2, rows(CaptureTable.SCHED_WAKEUP));
        assertEquals(0, rows(CaptureTable.SAMPLES));
        assertEquals(0, LIB.eb_commit(b, new long[0], 0, 1));
        CaptureTable sw = CaptureTable.SCHED_SWITCH, wk = CaptureTable.SCHED_WAKEUP;
        assertArrayEquals(new long[] {100, 110, 130}, longColumn(sw, "ts"));
        assertArrayEquals(new int[] {1, 0, 1}, intColumn(sw, "cpu"));
        assertArrayEquals(new int[] {0, 11, 21}, intColumn(sw, "prev_tid"), "prev_tid");
        assertArrayEquals(new int[] {0, 1, 0}, intColumn(sw, "prev_state"), "prev_state: R, S, R (preempted)");
        assertArrayEquals(new int[] {21, 0, 11}, intColumn(sw, "next_tid"), "next_tid");
        assertArrayEquals(new long[] {-1, -1, -1}, longColumn(sw, "prev_stack_id"), "no off-CPU stacks asked for");
        assertArrayEquals(new int[] {-1, 202, -1}, intColumn(sw, "prev_syscall"), "prev_syscall: futex, as the syscall dictionary's index");
        assertArrayEquals(new int[] {-1, 128, -1}, intColumn(sw, "prev_futex_op"), "prev_futex_op: FUTEX_WAIT | FUTEX_PRIVATE_FLAG");
        assertArrayEquals(new byte[] {0, 0, 0}, byteColumn(sw, "prev_iowait"), "prev_iowait");
        assertArrayEquals(new long[] {90, 120}, longColumn(wk, "ts"));
        assertArrayEquals(new int[] {0, 1}, intColumn(wk, "cpu"), "cpu");
        assertArrayEquals(new int[] {21, 11}, intColumn(wk, "tid"), "woken");
        assertArrayEquals(new int[] {11, 21}, intColumn(wk, "waker_tid"), "waker");
        assertArrayEquals(new int[] {1, 0}, intColumn(wk, "target_cpu"), "target cpu");
        assertArrayEquals(new int[] {0, 1}, intColumn(wk, "kind"), "kind: waking, wakeup");
        assertArrayEquals(new int[] {-1, 2}, intColumn(wk, "waker_context"), "waker_context: a task (null), local_timer");

        BpfRecords.ThreadSeen[] t = threads();
        assertEquals(3, t.length, "swapper (tid 0), pong, ping; wakeups name no thread");
        assertEquals(new BpfRecords.ThreadSeen(0, 0, 100, 110, "swapper/0"), t[0]);
        assertEquals(new BpfRecords.ThreadSeen(21, 20, 100, 130, "pong2"), t[1]);
        assertEquals(new BpfRecords.ThreadSeen(11, 10, 110, 130, "ping"), t[2]);
    }

    @Test
    void offCpuStacksLockWaitsAndFutexWaitsShareTheStackTable() {
        LIB.eb_reset(b);
        assertEquals(0, add(switchRecord(0, 100, 11, 10, "ping", 1, 0, false, 0, 0, "swapper/0", K, U)));
        ByteBuffer lock = ByteBuffer.allocateDirect(56 + 16).order(ByteOrder.LITTLE_ENDIAN);
        lock.putInt(0, 4).putInt(4, 1).putLong(8, 200).putLong(16, 260).putInt(24, 11).putInt(28, 10)
            .putLong(32, 0xffffffff82a00000L).putInt(40, 4).putInt(44, 0).putShort(48, (short) 2);
        lock.putLong(56, K[0]).putLong(64, K[1]);
        assertEquals(0, add(lock));
        ByteBuffer futex = ByteBuffer.allocateDirect(56 + 16).order(ByteOrder.LITTLE_ENDIAN);
        futex.putInt(0, 5).putInt(4, 0).putLong(8, 300).putLong(16, 390).putInt(24, 12).putInt(28, 10)
            .putLong(32, 0x7f0000001000L).putInt(40, 128).putInt(44, 0).putShort(48, (short) 2);
        futex.putLong(56, U[0]).putLong(64, U[1]);
        assertEquals(0, add(futex));
        assertEquals(0, LIB.eb_undecodable(b));

        BpfRecords.StackDef[] defs = newStacks().defs();
        assertEquals(3, defs.length, "off-CPU (kernel + user), lock (kernel), futex (user)");
        assertArrayEquals(K, defs[0].kernelIps());
        assertArrayEquals(U, defs[0].userIps());
        assertArrayEquals(K, defs[1].kernelIps());
        assertEquals(0, defs[1].userIps().length);
        assertEquals(0, defs[2].kernelIps().length);
        assertArrayEquals(U, defs[2].userIps());
        assertEquals(0, LIB.eb_commit(b, new long[] {40, 41, 42}, 3, 1));

        assertArrayEquals(new long[] {40}, longColumn(CaptureTable.SCHED_SWITCH, "prev_stack_id"));
        CaptureTable lk = CaptureTable.LOCK_CONTENTION, fx = CaptureTable.FUTEX_WAIT;
        assertArrayEquals(new long[] {200}, longColumn(lk, "ts_begin"));
        assertArrayEquals(new long[] {260}, longColumn(lk, "ts_end"));
        assertArrayEquals(new int[] {1}, intColumn(lk, "cpu"), "cpu at begin");
        assertArrayEquals(new int[] {11}, intColumn(lk, "tid"));
        assertArrayEquals(new long[] {0xffffffff82a00000L}, longColumn(lk, "lock_addr"));
        assertArrayEquals(new int[] {-1}, intColumn(lk, "lock_symbol"), "Java names the lock");
        assertArrayEquals(new int[] {4}, intColumn(lk, "flags"), "flags");
        assertArrayEquals(new long[] {41}, longColumn(lk, "stack_id"));
        assertArrayEquals(new long[] {300}, longColumn(fx, "ts_begin"));
        assertArrayEquals(new long[] {390}, longColumn(fx, "ts_end"));
        assertArrayEquals(new int[] {10}, intColumn(fx, "pid"), "pid");
        assertArrayEquals(new int[] {12}, intColumn(fx, "tid"), "tid");
        assertArrayEquals(new long[] {0x7f0000001000L}, longColumn(fx, "uaddr"));
        assertArrayEquals(new int[] {-1}, intColumn(fx, "lock_symbol"), "Java names the futex word");
        assertArrayEquals(new int[] {128}, intColumn(fx, "op"), "op: FUTEX_WAIT | FUTEX_PRIVATE_FLAG");
        assertArrayEquals(new long[] {42}, longColumn(fx, "stack_id"));
    }

    /** A struct prof_irq. */
    static ByteBuffer irqRecord(int cpu, long begin, long end, int kind, int number, int tid, long handler, String name) {
        ByteBuffer r = ByteBuffer.allocateDirect(80).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(0, 6).putInt(4, cpu).putLong(8, begin).putLong(16, end).putInt(24, kind).putInt(28, number)
            .putInt(32, tid).putLong(40, handler);
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length && i < 31; i++) r.put(48 + i, b[i]);
        return r;
    }

    Map<Integer, String> newNames() {
        NativeLongByReference bytes = new NativeLongByReference();
        Pointer p = LIB.eb_new_names(b, bytes);
        int n = LIB.eb_new_name_count(b);
        if (n == 0) return Map.of();
        return BpfRecords.decodeNames(p.getByteBuffer(0, bytes.getValue().longValue()).order(ByteOrder.LITTLE_ENDIAN), n);
    }

    @Test
    void interruptsNameTheirHandlersOnce() {
        LIB.eb_reset(b);
        assertEquals(0, add(irqRecord(0, 100, 110, 0, 24, 7, 0, "virtio0-input.0")));
        assertEquals(0, add(irqRecord(1, 120, 150, 1, 3, 8, 0, "")));
        assertEquals(0, add(irqRecord(0, 160, 170, 0, 24, 7, 0, "virtio0-input.0")));
        assertEquals(0, add(irqRecord(1, 200, 450, 2, 0, 9, 0xffffffff81001234L, "")));
        assertEquals(-EINVAL, add(irqRecord(1, 200, 450, 3, 0, 9, 0, "")), "unknown interrupt kind");
        assertEquals(Map.of(0, "virtio0-input.0", 1, "NET_RX"), newNames());
        assertEquals(0, LIB.eb_commit(b, new long[0], 0, 1));
        CaptureTable t = CaptureTable.IRQ;
        assertArrayEquals(new long[] {100, 120, 160, 200}, longColumn(t, "ts_begin"));
        assertArrayEquals(new long[] {110, 150, 170, 450}, longColumn(t, "ts_end"));
        assertArrayEquals(new int[] {0, 1, 0, 2}, intColumn(t, "kind"));
        assertArrayEquals(new int[] {24, 3, 24, 0}, intColumn(t, "number"), "irq number, softirq vector");
        assertArrayEquals(new int[] {-1, -1, -1, -1}, intColumn(t, "handler"), "Java names the handler");
        assertArrayEquals(new int[] {7, 8, 7, 9}, intColumn(t, "interrupted_tid"), "interrupted tid");
        assertArrayEquals(new int[] {0, 1, 0, -1}, intColumn(t, "_name_id"));
        assertArrayEquals(new long[] {0, 0, 0, 0xffffffff81001234L}, longColumn(t, "_addr"));

        LIB.eb_reset(b);
        assertEquals(0, add(irqRecord(0, 500, 510, 0, 24, 7, 0, "virtio0-input.0")));
        assertEquals(Map.of(), newNames(), "a known name is not listed again");
    }
}
