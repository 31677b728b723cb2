package dev.profiler.recorder.bpf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java mirror of bpf/profiler.h: counter indexes and the byte layout of
 * the records the shim hands over. The only class that knows those offsets.
 * The batch tables' columns are not mirrored: BatchLayout reads them from
 * the shim.
 */
public final class BpfRecords {
    public static final int ABI_VERSION = 14;
    public static final int MAX_FRAMES = 127;
    /** PROF_MAX_SYSCALL: recorded system call numbers are below it. */
    public static final int MAX_SYSCALL = 512;

    public static final int CNT_SAMPLES_EMITTED = 0, CNT_SAMPLES_LOST = 1;
    public static final int CNT_SWITCH_EMITTED = 2, CNT_SWITCH_LOST = 3;
    public static final int CNT_WAKEUP_EMITTED = 4, CNT_WAKEUP_LOST = 5;
    public static final int CNT_LOCK_EMITTED = 6, CNT_LOCK_LOST = 7;
    public static final int CNT_LOCK_UNPAIRED_BEGIN = 8, CNT_LOCK_UNPAIRED_END = 9;
    public static final int CNT_FUTEX_EMITTED = 10, CNT_FUTEX_LOST = 11;
    public static final int CNT_IRQ_EMITTED = 12, CNT_IRQ_LOST = 13, CNT_NMI_EMITTED = 14, CNT_NMI_LOST = 15;
    /** enum prof_counter's PROF_CNT_UNWIND_*: one per PROF_UNWIND_OUTCOMES entry, in order. */
    public static final int CNT_UNWIND_FIRST = 16;
    public static final int CNT_MAX = 20;

    /** PROF_TASK_STATES, PROF_WAKE_KINDS: dictionary values in index order. */
    public static final List<String> TASK_STATES = List.of("R", "S", "D", "T", "t", "X", "Z", "P", "I", "?");
    public static final List<String> WAKE_KINDS = List.of("waking", "wakeup", "wakeup_new");
    /** PROF_WAKER_CONTEXTS. */
    public static final List<String> WAKER_CONTEXTS = List.of("hardirq", "softirq", "local_timer");
    /** PROF_IRQ_KINDS; NMI_KIND is enum prof_irq_kind's PROF_IRQ_NMI. */
    public static final List<String> IRQ_KINDS = List.of("hardirq", "softirq", "nmi");
    public static final int NMI_KIND = 2;
    /** PROF_UNWIND_OUTCOMES: samples.unwind's values in index order. */
    public static final List<String> UNWIND_OUTCOMES = List.of("complete", "fell back", "truncated", "error");

    /** struct prof_stack_def: offsets in bytes. */
    static final int SD_RAW_ID = 0, SD_PID = 4, SD_KSTACK_LEN = 8, SD_USTACK_LEN = 10, SD_FLAGS = 12, SD_IPS = 16;
    static final int STACK_F_EVENT = 1;
    /** struct prof_thread_seen: offsets in bytes. */
    static final int TS_TID = 0, TS_PID = 4, TS_FIRST = 8, TS_LAST = 16, TS_COMM = 24, THREAD_SEEN_BYTES = 40;

    private BpfRecords() {}

    /**
     * A distinct raw stack, reported once. Stacks are leaf first. event: taken
     * inside a tracing program, whose own frames lead the kernel stack.
     */
    public record StackDef(int rawId, int pid, long[] kernelIps, long[] userIps, boolean event) {}

    /** enum prof_proc_what. */
    public static final int PROC_FORK = 0, PROC_EXEC = 1, PROC_EXIT = 2;
    static final int PROC_BYTES = 192;

    /**
     * A process or thread lifecycle event (struct prof_proc). Exec only:
     * startCode/endCode of the new program's code and its path as given to
     * execve.
     */
    public record ProcEvent(int what, long ts, int pid, int tid, int ppid, boolean groupDead, String comm,
                            long startCode, long endCode, String filename) {}

    static ProcEvent decodeProc(ByteBuffer b, int at) {
        return new ProcEvent(b.getInt(at + 4), b.getLong(at + 8), b.getInt(at + 16), b.getInt(at + 20),
            b.getInt(at + 24), b.getInt(at + 28) != 0, cString(b, at + 32, 16), b.getLong(at + 48),
            b.getLong(at + 56), cString(b, at + 64, 128));
    }

    /** A thread that had samples or scheduler events in a batch. */
    public record ThreadSeen(int tid, int pid, long firstTs, long lastTs, String comm) {}

    /** Decodes the prof_stack_def at {@code at}; returns the offset of the next one. */
    static int decodeStack(ByteBuffer b, int at, StackDef[] out, int index) {
        int kn = Short.toUnsignedInt(b.getShort(at + SD_KSTACK_LEN));
        int un = Short.toUnsignedInt(b.getShort(at + SD_USTACK_LEN));
        if (kn > MAX_FRAMES || un > MAX_FRAMES || at + SD_IPS + 8L * (kn + un) > b.limit())
            throw new IllegalStateException("shim handed over a malformed stack record");
        long[] k = new long[kn];
        long[] u = new long[un];
        int p = at + SD_IPS;
        for (int i = 0; i < kn; i++, p += 8) k[i] = b.getLong(p);
        for (int i = 0; i < un; i++, p += 8) u[i] = b.getLong(p);
        out[index] = new StackDef(b.getInt(at + SD_RAW_ID), b.getInt(at + SD_PID), k, u,
            (b.getInt(at + SD_FLAGS) & STACK_F_EVENT) != 0);
        return p;
    }

    /** struct prof_name_def records (id, len, bytes, padded to 8): names by id. */
    static Map<Integer, String> decodeNames(ByteBuffer b, int count) {
        Map<Integer, String> names = new LinkedHashMap<>();
        int at = 0;
        for (int i = 0; i < count; i++) {
            int id = b.getInt(at), len = b.getInt(at + 4);
            if (len < 0 || at + 8L + len > b.limit()) throw new IllegalStateException("shim handed over a malformed name");
            byte[] bytes = new byte[len];
            b.get(at + 8, bytes);
            names.put(id, new String(bytes, StandardCharsets.UTF_8));
            at += (8 + len + 7) & ~7;
        }
        return names;
    }

    static ThreadSeen decodeThread(ByteBuffer b, int at) {
        return new ThreadSeen(b.getInt(at + TS_TID), b.getInt(at + TS_PID), b.getLong(at + TS_FIRST),
            b.getLong(at + TS_LAST), cString(b, at + TS_COMM, 16));
    }

    static String cString(ByteBuffer b, int at, int max) {
        int n = 0;
        while (n < max && b.get(at + n) != 0) n++;
        byte[] bytes = new byte[n];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
