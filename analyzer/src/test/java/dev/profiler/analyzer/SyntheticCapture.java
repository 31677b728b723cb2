package dev.profiler.analyzer;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a capture whose every event the test put there, so analyses can be
 * checked against a truth known exactly. Times are ns from the capture's
 * start (the manifest's startNs is 0). Frames are named; a stack is given
 * leaf first, kernel frames marked with a "k:" prefix.
 */
final class SyntheticCapture implements AutoCloseable {
    static final String KERNEL = "[kernel.kallsyms]";
    static final String PROGRAM = "/usr/bin/synthetic";
    static final String LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";

    private final CaptureWriter out;
    private final int cpus;
    private final long periodNs;
    private final Map<String, Long> frames = new HashMap<>();
    private final Map<List<String>, Long> stacks = new HashMap<>();
    private final Map<Integer, Object[]> threads = new LinkedHashMap<>();
    private final Map<Integer, String> processes = new LinkedHashMap<>();
    private final Map<Integer, Integer> parents = new HashMap<>();
    private long end;

    private SyntheticCapture(CaptureWriter out, int cpus, long periodNs) {
        this.out = out;
        this.cpus = cpus;
        this.periodNs = periodNs;
    }

    static SyntheticCapture create(Path dir, int cpus, long periodNs) throws Exception {
        return new SyntheticCapture(CaptureWriter.create(dir, false), cpus, periodNs);
    }

    long periodNs() { return periodNs; }

    /** A thread (and its process, named after the thread when tid == pid). */
    void thread(int tid, int pid, String name) {
        threads.put(tid, new Object[] {tid, pid, name});
        if (tid == pid || !processes.containsKey(pid)) processes.put(pid, name);
    }

    /** A kernel thread: its own process, a child of kthreadd (pid 2), as /proc shows them. */
    void kernelThread(int tid, String name) {
        thread(tid, tid, name);
        parents.put(tid, 2);
    }

    /** A stack, leaf first; "k:name" is a kernel frame, "libc:name" a libc one, others the program's. */
    long stack(String... leafFirst) throws IOException {
        List<String> key = List.of(leafFirst);
        Long id = stacks.get(key);
        if (id != null) return id;
        List<Long> ids = new ArrayList<>();
        short kernel = 0;
        for (String f : leafFirst) {
            ids.add(frame(f));
            if (f.startsWith("k:")) kernel++;
        }
        id = (long) stacks.size();
        stacks.put(key, id);
        out.table(CaptureTable.STACKS).append(id, ids.stream().mapToLong(Long::longValue).toArray(), kernel, false);
        return id;
    }

    private long frame(String f) throws IOException {
        Long id = frames.get(f);
        if (id != null) return id;
        id = (long) frames.size();
        frames.put(f, id);
        boolean kernel = f.startsWith("k:");
        boolean libc = f.startsWith("libc:");
        String name = kernel ? f.substring(2) : libc ? f.substring(5) : f;
        String module = kernel ? KERNEL : libc ? LIBC : PROGRAM;
        long address = (kernel ? 0xffffffff81000000L : 0x400000L) + 0x100 * id;
        out.table(CaptureTable.FRAMES).append(id, address, module, null, address, name, 0L, null, null, false,
            kernel ? "kernel" : "user");
        return id;
    }

    /** One sample of tid on cpu at ts. */
    void sample(long ts, int cpu, int tid, long stack) throws IOException {
        out.table(CaptureTable.SAMPLES).append(ts, cpu, pidOf(tid), tid, stack, periodNs, null);
        end = Math.max(end, ts);
    }

    /** A sample every period in [from, to) on cpu, the first one offset by phase. */
    void samples(long from, long to, long phase, int cpu, int tid, long stack) throws IOException {
        for (long ts = from + phase; ts < to; ts += periodNs) sample(ts, cpu, tid, stack);
    }

    void contextSwitch(long ts, int cpu, int prevTid, String prevState, int nextTid, Long prevStack) throws IOException {
        contextSwitch(ts, cpu, prevTid, prevState, nextTid, prevStack, null, null, false);
    }

    /**
     * A switch with what the recorder reads of a thread that blocks: the
     * system call it is in (null: none, or a kernel thread), futex()'s op,
     * and whether it waits for I/O (in_iowait).
     */
    void contextSwitch(long ts, int cpu, int prevTid, String prevState, int nextTid, Long prevStack, String syscall,
                       Integer futexOp, boolean iowait) throws IOException {
        out.table(CaptureTable.SCHED_SWITCH).append(ts, cpu, prevTid, prevState, nextTid, prevStack, syscall, futexOp,
            iowait);
        end = Math.max(end, ts);
    }

    /** A wakeup by a thread as the recorder writes it: a waking row (waker's context) and a wakeup row. */
    void wakeup(long ts, int wakerCpu, int tid, int wakerTid, int targetCpu) throws IOException {
        wakeup(ts, wakerCpu, tid, wakerTid, targetCpu, null);
    }

    /** A wakeup from an interrupt (hardirq, softirq, local_timer) that landed on wakerTid; null: by wakerTid. */
    void wakeup(long ts, int wakerCpu, int tid, int wakerTid, int targetCpu, String wakerContext) throws IOException {
        out.table(CaptureTable.SCHED_WAKEUP).append(ts, wakerCpu, tid, wakerTid, targetCpu, "waking", wakerContext);
        out.table(CaptureTable.SCHED_WAKEUP).append(ts + 2_000, targetCpu, tid, wakerTid, targetCpu, "wakeup", wakerContext);
    }

    void irq(long begin, long end, int cpu, String kind, int number, String handler, int interruptedTid) throws IOException {
        out.table(CaptureTable.IRQ).append(begin, end, cpu, kind, number, handler, interruptedTid);
    }

    void futexWait(long begin, long end, int tid, long uaddr, long stack) throws IOException {
        futexWait(begin, end, tid, uaddr, 128 /* FUTEX_WAIT|PRIVATE */, stack);
    }

    void futexWait(long begin, long end, int tid, long uaddr, int op, Long stack) throws IOException {
        futexWait(begin, end, tid, uaddr, null, op, stack);
    }

    /** A futex wait on a word the recorder named by the data symbol it lies in (null: on the heap). */
    void futexWait(long begin, long end, int tid, long uaddr, String symbol, int op, Long stack) throws IOException {
        out.table(CaptureTable.FUTEX_WAIT).append(begin, end, pidOf(tid), tid, uaddr, symbol, op, stack);
    }

    void lockWait(long begin, long end, int cpu, int tid, long addr, String symbol, int flags, long stack) throws IOException {
        out.table(CaptureTable.LOCK_CONTENTION).append(begin, end, cpu, tid, addr, symbol, flags, stack);
    }

    private int pidOf(int tid) {
        Object[] t = threads.get(tid);
        return t == null ? tid : (int) t[1];
    }

    /** Ends the capture at endNs (or its last event) and writes threads, processes and the manifest. */
    void finish(long endNs) throws IOException {
        end = Math.max(end, endNs);
    }

    @Override
    public void close() throws IOException {
        for (Object[] t : threads.values())
            out.table(CaptureTable.THREADS).append(t[0], t[1], t[2], 0L, end);
        for (Map.Entry<Integer, String> p : processes.entrySet())
            out.table(CaptureTable.PROCESSES).append(p.getKey(), parents.getOrDefault(p.getKey(), 1), p.getValue(),
                p.getValue(), null, null, null);
        Manifest m = new Manifest();
        m.recorder = "synthetic (analyzer tests: Scenarios.java)";
        m.complete = true;
        m.cpuCount = cpus;
        m.startNs = 0;
        m.endNs = end;
        m.sampling.eventSource = "cpu-clock";
        m.sampling.frequencyHz = (int) (1_000_000_000L / periodNs);
        m.sampling.periodNs = periodNs;
        out.writeManifest(m);
        out.close();
    }
}
