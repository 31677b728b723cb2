package dev.profiler.recorder.bpf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java mirror of bpf/profiler.h: the byte layout of the records the shim
 * hands over, and dictionaries in index order. The only class that knows those offsets.
 * The batch tables' columns and the counters are not mirrored: BatchLayout
 * and ShimSources read them from the shim.
 */
public final class BpfRecords {
    public static final int ABI_VERSION = 14;
    public static final int MAX_FRAMES = 127;
    /** PROF_MAX_SYSCALL: recorded system call numbers are below it. */
    public static final int MAX_SYSCALL = 512;

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
    public static final int PROC_FORK = 0, PROC_EXEC = 1, PROC_EXIT = 2, PROC_LIBS = 3;
    /** struct prof_proc: offsets in bytes. */
    static final int PR_WHAT = 4, PR_TS = 8, PR_PID = 16, PR_TID = 20, PR_PPID = 24, PR_GROUP_DEAD = 28, PR_COMM = 32,
        PR_START_CODE = 48, PR_END_CODE = 56, PR_FILENAME = 64, PROC_BYTES = 192;
    /** struct prof_name_def: offsets in bytes. */
    static final int ND_ID = 0, ND_LEN = 4, ND_BYTES = 8;

    /**
     * Every offset above by its C name ("struct" for a size), for the test
     * that compares them with the shim's (pshim_record_layout).
     */
    static final Map<String, Integer> LAYOUT = Map.ofEntries(
        Map.entry("prof_stack_def", SD_IPS), Map.entry("prof_stack_def.raw_id", SD_RAW_ID),
        Map.entry("prof_stack_def.pid", SD_PID), Map.entry("prof_stack_def.kstack_len", SD_KSTACK_LEN),
        Map.entry("prof_stack_def.ustack_len", SD_USTACK_LEN), Map.entry("prof_stack_def.flags", SD_FLAGS),
        Map.entry("prof_stack_def.ips", SD_IPS),
        Map.entry("prof_thread_seen", THREAD_SEEN_BYTES), Map.entry("prof_thread_seen.tid", TS_TID),
        Map.entry("prof_thread_seen.pid", TS_PID), Map.entry("prof_thread_seen.first_ts", TS_FIRST),
        Map.entry("prof_thread_seen.last_ts", TS_LAST), Map.entry("prof_thread_seen.comm", TS_COMM),
        Map.entry("prof_proc", PROC_BYTES), Map.entry("prof_proc.what", PR_WHAT), Map.entry("prof_proc.ts", PR_TS),
        Map.entry("prof_proc.pid", PR_PID), Map.entry("prof_proc.tid", PR_TID), Map.entry("prof_proc.ppid", PR_PPID),
        Map.entry("prof_proc.group_dead", PR_GROUP_DEAD), Map.entry("prof_proc.comm", PR_COMM),
        Map.entry("prof_proc.start_code", PR_START_CODE), Map.entry("prof_proc.end_code", PR_END_CODE),
        Map.entry("prof_proc.filename", PR_FILENAME),
        Map.entry("prof_name_def", ND_BYTES), Map.entry("prof_name_def.id", ND_ID),
        Map.entry("prof_name_def.len", ND_LEN), Map.entry("prof_name_def.bytes", ND_BYTES));

    /**
     * A process or thread lifecycle event (struct prof_proc). Exec only:
     * startCode/endCode of the new program's code and its path as given to
     * execve.
     */
    public record ProcEvent(int what, long ts, int pid, int tid, int ppid, boolean groupDead, String comm,
                            long startCode, long endCode, String filename) {}

    static ProcEvent decodeProc(ByteBuffer b, int at) {
        return new ProcEvent(b.getInt(at + PR_WHAT), b.getLong(at + PR_TS), b.getInt(at + PR_PID),
            b.getInt(at + PR_TID), b.getInt(at + PR_PPID), b.getInt(at + PR_GROUP_DEAD) != 0,
            cString(b, at + PR_COMM, PR_START_CODE - PR_COMM), b.getLong(at + PR_START_CODE),
            b.getLong(at + PR_END_CODE), cString(b, at + PR_FILENAME, PROC_BYTES - PR_FILENAME));
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
            int id = b.getInt(at + ND_ID), len = b.getInt(at + ND_LEN);
            if (len < 0 || at + (long) ND_BYTES + len > b.limit())
                throw new IllegalStateException("shim handed over a malformed name");
            byte[] bytes = new byte[len];
            b.get(at + ND_BYTES, bytes);
            names.put(id, new String(bytes, StandardCharsets.UTF_8));
            at += (ND_BYTES + len + 7) & ~7;
        }
        return names;
    }

    static ThreadSeen decodeThread(ByteBuffer b, int at) {
        return new ThreadSeen(b.getInt(at + TS_TID), b.getInt(at + TS_PID), b.getLong(at + TS_FIRST),
            b.getLong(at + TS_LAST), cString(b, at + TS_COMM, THREAD_SEEN_BYTES - TS_COMM));
    }

    static String cString(ByteBuffer b, int at, int max) {
        int n = 0;
        while (n < max && b.get(at + n) != 0) n++;
        byte[] bytes = new byte[n];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
