package dev.profiler.analyzer;

import java.nio.file.Path;

/**
 * The synthetic captures the stall and lock analyses are tested on, each
 * built from a story whose stalls are known exactly. Times in ns from the
 * capture's start; MS = one millisecond.
 */
final class Scenarios {
    static final long MS = 1_000_000L;
    static final long PERIOD = MS; // 1000 Hz sampling

    private Scenarios() {}

    /** The 250 ms freeze: where it starts, and the stacks of the spinning CPU. */
    static final long[] FREEZES = {2000 * MS, 5000 * MS, 8000 * MS};
    static final long FREEZE_LENGTH = 250 * MS;

    /**
     * Linux 6.15-6.18's rqspinlock freeze. Two CPUs, busy all along (render
     * on CPU 0, ingest on CPU 1), a timer thread woken by a timer interrupt
     * every 100 ms (a wakeup from interrupt context, with the interrupted
     * render as its "waker": not a stall). Every 3 s
     * both CPUs go silent for 250 ms: CPU 1's last samples are spinning in
     * the ring buffer's resilient spinlock, and an NMI handler on CPU 1 runs
     * the whole 250 ms.
     */
    static Path freeze(Path dir) throws Exception {
        try (SyntheticCapture c = SyntheticCapture.create(dir, 2, PERIOD)) {
            c.thread(101, 100, "render");
            c.thread(102, 100, "ingest");
            c.thread(103, 103, "timerd");
            long render = c.stack("render_frame", "main", "libc:__libc_start_call_main");
            long ingest = c.stack("parse_batch", "ingest_loop", "libc:start_thread");
            long spinning = c.stack("k:resilient_queued_spin_lock_slowpath", "k:bpf_ringbuf_reserve",
                "k:bpf_prog_on_switch", "k:__traceiter_sched_switch", "k:__schedule", "k:schedule",
                "k:do_nanosleep", "ingest_loop", "libc:start_thread");
            long timerdSleep = c.stack("k:__schedule", "k:schedule", "k:do_nanosleep", "k:hrtimer_nanosleep",
                "libc:clock_nanosleep", "tick", "main");
            long end = 10_000 * MS;
            c.contextSwitch(0, 0, 0, "R", 101, null);
            c.contextSwitch(0, 1, 0, "R", 102, null);
            long t = 0;
            for (long freeze : FREEZES) {
                c.samples(t, freeze - 3 * MS, 300_000, 0, 101, render);
                c.samples(t, freeze - 3 * MS, 600_000, 1, 102, ingest);
                c.samples(freeze - 3 * MS, freeze, 300_000, 0, 101, render);
                c.samples(freeze - 3 * MS, freeze, 600_000, 1, 102, spinning);
                c.irq(freeze, freeze + FREEZE_LENGTH, 1, "nmi", 0, "perf_event_nmi_handler", 102);
                // the first thing CPU 0 does when it thaws: the overdue timer wakes timerd, which runs
                // briefly, before CPU 0's next sample (the switch must not hide the freeze)
                long thaw = freeze + FREEZE_LENGTH;
                c.wakeup(thaw + 50_000, 0, 103, 101, 0, "local_timer");
                c.contextSwitch(thaw + 100_000, 0, 101, "R", 103, null);
                c.contextSwitch(thaw + 200_000, 0, 103, "S", 101, timerdSleep);
                t = thaw;
            }
            c.samples(t, end, 300_000, 0, 101, render);
            c.samples(t, end, 600_000, 1, 102, ingest);
            // timerd: woken from a timer interrupt on CPU 0 every 100 ms (outside the freezes), runs 200 us
            c.contextSwitch(50 * MS, 0, 101, "R", 103, null);
            c.contextSwitch(50 * MS + 200_000, 0, 103, "S", 101, timerdSleep);
            boolean marked = false;
            for (long tick = 150 * MS; tick < end; tick += 100 * MS) {
                if (inFreeze(tick)) continue;
                // every other one marked by the recorder as from the local timer; the others only
                // inside a hardirq row (as captures made before waker_context was recorded)
                if (marked) {
                    c.wakeup(tick, 0, 103, 101, 0, "local_timer");
                } else {
                    c.irq(tick - 5_000, tick + 5_000, 0, "hardirq", 11, "apic_timer", 101);
                    c.wakeup(tick, 0, 103, 101, 0);
                }
                marked = !marked;
                c.contextSwitch(tick + 50_000, 0, 101, "R", 103, null);
                c.contextSwitch(tick + 250_000, 0, 103, "S", 101, timerdSleep);
            }
            // a softirq now and then: short, below any threshold
            for (long s = 7 * MS; s < end; s += 40 * MS)
                if (!inFreeze(s)) c.irq(s, s + 30_000, 1, "softirq", 1, "TIMER", 102);
            c.finish(end);
        }
        return dir;
    }

    private static boolean inFreeze(long ts) {
        for (long f : FREEZES) if (ts >= f - MS && ts < f + FREEZE_LENGTH + MS) return true;
        return false;
    }

    static final long HOG_BEGIN = 1000 * MS;
    static final long HOG_END = 1300 * MS;

    /**
     * A runqueue stall: worker runs on CPU 0 until a SCHED_FIFO hog, woken
     * from CPU 1, takes CPU 0 for 300 ms; worker waits, runnable, the whole
     * time. Afterwards the hog sleeps until the end (never woken: not a
     * stall).
     */
    static Path runqueue(Path dir) throws Exception {
        try (SyntheticCapture c = SyntheticCapture.create(dir, 2, PERIOD)) {
            c.thread(201, 200, "worker");
            c.thread(202, 202, "hog");
            c.thread(203, 203, "other");
            long work = c.stack("compute", "worker_main", "libc:start_thread");
            long hog = c.stack("hog_loop", "main");
            long other = c.stack("other_loop", "main");
            long end = 3000 * MS;
            c.contextSwitch(0, 0, 0, "R", 201, null);
            c.contextSwitch(0, 1, 0, "R", 203, null);
            c.samples(0, HOG_BEGIN, 400_000, 0, 201, work);
            c.wakeup(HOG_BEGIN - 500_000, 1, 202, 203, 0);
            c.contextSwitch(HOG_BEGIN, 0, 201, "R", 202, null);
            c.samples(HOG_BEGIN, HOG_END, 400_000, 0, 202, hog);
            c.contextSwitch(HOG_END, 0, 202, "S", 201, null);
            c.samples(HOG_END, end, 400_000, 0, 201, work);
            c.samples(0, end, 700_000, 1, 203, other);
            c.finish(end);
        }
        return dir;
    }

    static final long FUTEX = 0x5000;
    static final long KERNEL_LOCK = 0xffffffff82a0c040L;
    static final long SPIN_BEGIN = 1500 * MS;
    static final long LOCK_TAKEN_2 = 1010 * MS, LOCK_TAKEN_3 = 1020 * MS;
    static final long RELEASE_1 = 1200 * MS, RELEASE_2 = 1300 * MS, RELEASE_3 = 1400 * MS;

    /**
     * A mutex convoy in one process: the holder (tid 301) keeps the mutex
     * 200 ms; worker-1 (302) blocks on it at 1.010 s, worker-2 (303) at
     * 1.020 s; each is woken by the thread that released it before: 302 by
     * 301 at 1.200 s, 303 by 302 at 1.300 s. Three CPUs, one thread each;
     * a CPU with its thread blocked samples idle. At 1.5 s the holder spins
     * 3 ms on a kernel spinlock (tasklist_lock).
     */
    static Path convoy(Path dir) throws Exception {
        try (SyntheticCapture c = SyntheticCapture.create(dir, 3, PERIOD)) {
            c.thread(301, 300, "convoy");
            c.thread(302, 300, "worker-1");
            c.thread(303, 300, "worker-2");
            long holding = c.stack("hold_and_work", "worker", "libc:start_thread");
            long working = c.stack("do_work", "worker", "libc:start_thread");
            long idle = c.stack("k:default_idle", "k:do_idle", "k:cpu_startup_entry");
            long blocked = c.stack("k:__schedule", "k:schedule", "k:futex_wait_queue", "k:__futex_wait",
                "k:futex_wait", "k:do_futex", "k:__x64_sys_futex", "libc:__futex_abstimed_wait_common",
                "libc:__pthread_mutex_lock_full", "worker", "libc:start_thread");
            long waitStack = c.stack("libc:__futex_abstimed_wait_common", "libc:__pthread_mutex_lock_full", "worker",
                "libc:start_thread");
            long end = 2000 * MS;
            for (int cpu = 0; cpu < 3; cpu++) c.contextSwitch(0, cpu, 0, "R", 301 + cpu, null);
            // the holder: works all along, but for 3 ms spinning on a kernel spinlock at 1.5 s
            long spinning = c.stack("k:native_queued_spin_lock_slowpath", "k:_raw_spin_lock", "k:do_exit",
                "libc:_exit", "worker", "libc:start_thread");
            c.samples(0, SPIN_BEGIN, 200_000, 0, 301, holding);
            c.lockWait(SPIN_BEGIN, SPIN_BEGIN + 3 * MS, 0, 301, KERNEL_LOCK, "tasklist_lock", 1 /* LCB_F_SPIN */,
                c.stack("k:native_queued_spin_lock_slowpath", "k:_raw_spin_lock", "k:do_exit"));
            c.samples(SPIN_BEGIN, SPIN_BEGIN + 3 * MS, 200_000, 0, 301, spinning);
            c.samples(SPIN_BEGIN + 3 * MS, end, 200_000, 0, 301, holding);
            // worker-1 on CPU 1: works, blocks, is woken by the holder, works
            c.samples(0, LOCK_TAKEN_2, 500_000, 1, 302, working);
            c.futexWait(LOCK_TAKEN_2, RELEASE_1, 302, FUTEX, waitStack);
            c.contextSwitch(LOCK_TAKEN_2 + 20_000, 1, 302, "S", 0, blocked);
            c.samples(LOCK_TAKEN_2 + 20_000, RELEASE_1 + 100_000, 500_000, 1, 0, idle);
            c.wakeup(RELEASE_1, 0, 302, 301, 1);
            c.contextSwitch(RELEASE_1 + 100_000, 1, 0, "R", 302, null);
            c.samples(RELEASE_1 + 100_000, end, 500_000, 1, 302, working);
            // worker-2 on CPU 2: the same, woken by worker-1
            c.samples(0, LOCK_TAKEN_3, 800_000, 2, 303, working);
            c.futexWait(LOCK_TAKEN_3, RELEASE_2, 303, FUTEX, waitStack);
            c.contextSwitch(LOCK_TAKEN_3 + 20_000, 2, 303, "S", 0, blocked);
            c.samples(LOCK_TAKEN_3 + 20_000, RELEASE_2 + 100_000, 800_000, 2, 0, idle);
            c.wakeup(RELEASE_2, 1, 303, 302, 2);
            c.contextSwitch(RELEASE_2 + 100_000, 2, 0, "R", 303, null);
            c.samples(RELEASE_2 + 100_000, end, 800_000, 2, 303, working);
            c.finish(end);
        }
        return dir;
    }

    /** The waits scenario's story: when each thread blocked and was woken, in ns. */
    static final long POOL_BLOCK = 10 * MS, POOL_WAKE = 1500 * MS;
    static final long READER_BLOCK = 20 * MS, READER_WAKE = 1000 * MS;
    static final long SLEEPER_BLOCK = 50 * MS, SLEEPER_WAKE = 1050 * MS;
    static final long CONVOY_BLOCK = 100 * MS, CONVOY_WAKE = 400 * MS;
    static final long KTHREAD_BLOCK = 300 * MS, KTHREAD_WAKE = 1200 * MS;
    static final long LOADER_BLOCK = 500 * MS, LOADER_WAKE = 620 * MS;
    static final long MAPPER_BLOCK = 700 * MS, MAPPER_WAKE = 780 * MS;
    static final long WRITER_BLOCK = 800 * MS, WRITER_WAKE = 900 * MS;
    static final long JOINER_BLOCK = 1100 * MS, JOINER_WAKE = 1900 * MS;
    static final long CONVOY_FUTEX = 0x7f0000001000L, POOL_FUTEX = 0x7f0000002000L, JOINER_FUTEX = 0x7f0000003000L;

    /**
     * A service whose threads wait in every way, three of them stalls. Two
     * CPUs: the producer (401) works on CPU 0 all along; CPU 1 is idle but
     * for short runs. Each thread below blocks once (switch-out with what the
     * recorder reads of it) and is woken once:
     *   pool-1 (402), pool-2 (403)  condition variable (futex op 393,
     *              FUTEX_WAIT_BITSET|PRIVATE|CLOCK_REALTIME), 10 ms -> 1.5 s,
     *              woken by the producer. pool-1's off-CPU stack reaches
     *              pthread_cond_wait (idle, by the stack); pool-2's stops in
     *              libc's leaf as on Debian (futex-wait: nothing tells)
     *   reader (404)   read() of an empty pipe, 20 ms -> 1.0 s, woken by the
     *              producer (idle, by the system call)
     *   sleeper (409)  nanosleep 50 ms -> 1.05 s, woken by the timer (sleep)
     *   convoy-2 (406) pthread_mutex_lock (FUTEX_WAIT|PRIVATE, no stack),
     *              100 -> 400 ms, woken by convoy-1 (405), its holder: a lock
     *              stall, by the futex op
     *   ksoftirqd/1 (30)  a kernel thread asleep (S) 300 ms -> 1.2 s (idle)
     *   loader (407)   read() in D with in_iowait, 500 -> 620 ms, woken by
     *              the disk's interrupt: an io stall
     *   mapper (408)   mmap() in D, off-CPU stack in rwsem_down_write_slowpath,
     *              700 -> 780 ms, woken by convoy-1: a lock stall, by the stack
     *   writer (410)   write() in D, inside a kernel mutex wait (inode_lock,
     *              lock_contention) 800 -> 900 ms, woken by convoy-1: a lock
     *              stall, by the lock event
     *   joiner (411)   pthread_join (FUTEX_WAIT_BITSET), 1100 -> 1900 ms, its
     *              off-CPU stack missing (walked before the process's unwind
     *              tables were loaded): a join, by its futex call's stack
     * Futex waits (as --futex records them): convoy-2's (on a static mutex,
     * named convoy_lock by the recorder), pool-1's, pool-2's and joiner's.
     */
    static Path waits(Path dir) throws Exception {
        try (SyntheticCapture c = SyntheticCapture.create(dir, 2, PERIOD)) {
            c.thread(401, 401, "producer");
            c.thread(402, 401, "pool-1");
            c.thread(403, 401, "pool-2");
            c.thread(404, 401, "reader");
            c.thread(405, 401, "convoy-1");
            c.thread(406, 401, "convoy-2");
            c.thread(407, 401, "loader");
            c.thread(408, 401, "mapper");
            c.thread(409, 401, "sleeper");
            c.thread(410, 401, "writer");
            c.thread(411, 401, "joiner");
            c.kernelThread(30, "ksoftirqd/1");
            long end = 2000 * MS;
            long working = c.stack("produce", "main", "libc:__libc_start_main");
            long idle = c.stack("k:default_idle", "k:do_idle", "k:cpu_startup_entry");
            c.contextSwitch(0, 0, 0, "R", 401, null);
            c.samples(0, end, 100_000, 0, 401, working);
            c.samples(0, end, 600_000, 1, 0, idle);
            long futexKernel = c.stack("k:__schedule", "k:schedule", "k:futex_wait_queue", "k:__futex_wait",
                "k:futex_wait", "k:do_futex", "k:__x64_sys_futex", "libc:__futex_abstimed_wait_common",
                "libc:___pthread_cond_wait", "pool_loop", "libc:start_thread");
            long futexLeafOnly = c.stack("k:__schedule", "k:schedule", "k:futex_wait_queue", "k:__futex_wait",
                "k:futex_wait", "k:do_futex", "k:__x64_sys_futex", "libc:__futex_abstimed_wait_common", "pool_loop",
                "libc:start_thread");
            long mmapLock = c.stack("k:__schedule", "k:schedule", "k:rwsem_down_write_slowpath", "k:down_write_killable",
                "k:vm_mmap_pgoff", "k:ksys_mmap_pgoff", "libc:mmap64", "map_more", "libc:start_thread");
            // pool-1 and pool-2: a condition variable
            c.futexWait(POOL_BLOCK, POOL_WAKE + 30_000, 402, POOL_FUTEX, 393, futexKernel);
            c.futexWait(POOL_BLOCK, POOL_WAKE + 30_000, 403, POOL_FUTEX, 393, futexLeafOnly);
            block(c, 402, "S", POOL_BLOCK, POOL_WAKE, 401, null, futexKernel, "futex", 393, false);
            block(c, 403, "S", POOL_BLOCK, POOL_WAKE, 401, null, futexLeafOnly, "futex", 393, false);
            block(c, 404, "S", READER_BLOCK, READER_WAKE, 401, null, null, "read", null, false);
            block(c, 409, "S", SLEEPER_BLOCK, SLEEPER_WAKE, 0, "local_timer", null, "clock_nanosleep", null, false);
            c.futexWait(CONVOY_BLOCK, CONVOY_WAKE + 30_000, 406, CONVOY_FUTEX, "convoy_lock", 128, null);
            block(c, 406, "S", CONVOY_BLOCK, CONVOY_WAKE, 405, null, null, "futex", 128, false);
            block(c, 30, "S", KTHREAD_BLOCK, KTHREAD_WAKE, 401, null, null, null, null, false);
            block(c, 407, "D", LOADER_BLOCK, LOADER_WAKE, 0, "hardirq", null, "read", null, true);
            block(c, 408, "D", MAPPER_BLOCK, MAPPER_WAKE, 405, null, mmapLock, "mmap", null, false);
            c.lockWait(WRITER_BLOCK - 10_000, WRITER_WAKE + 40_000, 1, 410, 0xffff888100001000L, "inode_lock",
                32 /* LCB_F_MUTEX */, c.stack("k:__mutex_lock", "k:down_write", "k:ext4_buffered_write_iter"));
            block(c, 410, "D", WRITER_BLOCK, WRITER_WAKE, 405, null, null, "write", null, false);
            c.futexWait(JOINER_BLOCK, JOINER_WAKE + 30_000, 411, JOINER_FUTEX, 393, c.stack(
                "libc:__futex_abstimed_wait_common", "libc:__pthread_clockjoin_ex", "main", "libc:__libc_start_main"));
            block(c, 411, "S", JOINER_BLOCK, JOINER_WAKE, 405, null, null, "futex", 393, false);
            c.finish(end);
        }
        return dir;
    }

    /** The chain scenario's story, in ns. */
    static final long CHAIN_A_BLOCK = 100 * MS, CHAIN_B_BLOCK = 150 * MS, CHAIN_C_RUNS = 200 * MS,
        CHAIN_C_RELEASES = 500 * MS, CHAIN_A_WOKEN = 600 * MS;

    /**
     * A chain of waits. Three threads of one process, one CPU each:
     *   A (501) runs, then at 100 ms waits on a condition variable for B's
     *     result (futex op 393), woken by B at 600 ms; runs to the end.
     *   B (502) runs, then at 150 ms waits for a mutex C holds (FUTEX_WAIT),
     *     woken by C at 500 ms; works 100 ms and hands A its result at 600 ms.
     *   C (503) waits for input until 200 ms (a read woken by the network
     *     card's interrupt), then runs 300 ms holding the mutex and releases
     *     it at 500 ms.
     * A's critical path over its wait [100, 600] ms: B running 100-150, C
     * waiting for its input 150-200 (woken by an interrupt: the walk ends),
     * C running 200-500 (the 300 ms that matter), B running 500-600.
     */
    static Path chain(Path dir) throws Exception {
        try (SyntheticCapture c = SyntheticCapture.create(dir, 3, PERIOD)) {
            c.thread(501, 501, "A");
            c.thread(502, 501, "B");
            c.thread(503, 501, "C");
            long end = 1000 * MS;
            long idle = c.stack("k:default_idle", "k:do_idle", "k:cpu_startup_entry");
            long[] work = {c.stack("a_work", "main"), c.stack("b_work", "b_main"), c.stack("c_work", "c_main")};
            for (int cpu = 0; cpu < 3; cpu++) c.contextSwitch(0, cpu, 0, "R", 501 + cpu, null);
            // A on CPU 0
            c.samples(0, CHAIN_A_BLOCK, 100_000, 0, 501, work[0]);
            c.contextSwitch(CHAIN_A_BLOCK, 0, 501, "S", 0, null, "futex", 393, false);
            c.samples(CHAIN_A_BLOCK, CHAIN_A_WOKEN, 100_000, 0, 0, idle);
            c.wakeup(CHAIN_A_WOKEN, 1, 501, 502, 0);
            c.contextSwitch(CHAIN_A_WOKEN + 20_000, 0, 0, "R", 501, null);
            c.samples(CHAIN_A_WOKEN + 20_000, end, 100_000, 0, 501, work[0]);
            // B on CPU 1
            c.samples(0, CHAIN_B_BLOCK, 300_000, 1, 502, work[1]);
            c.contextSwitch(CHAIN_B_BLOCK, 1, 502, "S", 0, null, "futex", 128, false);
            c.samples(CHAIN_B_BLOCK, CHAIN_C_RELEASES, 300_000, 1, 0, idle);
            c.wakeup(CHAIN_C_RELEASES, 2, 502, 503, 1);
            c.contextSwitch(CHAIN_C_RELEASES + 20_000, 1, 0, "R", 502, null);
            c.samples(CHAIN_C_RELEASES + 20_000, CHAIN_A_WOKEN + 10_000, 300_000, 1, 502, work[1]);
            c.contextSwitch(CHAIN_A_WOKEN + 10_000, 1, 502, "S", 0, null, "futex", 393, false);
            c.samples(CHAIN_A_WOKEN + 10_000, end, 300_000, 1, 0, idle);
            // C on CPU 2: waits for input, then runs holding the mutex
            c.contextSwitch(10 * MS, 2, 503, "S", 0, null, "read", null, false);
            c.samples(10 * MS, CHAIN_C_RUNS, 600_000, 2, 0, idle);
            c.wakeup(CHAIN_C_RUNS, 2, 503, 0, 2, "hardirq");
            c.contextSwitch(CHAIN_C_RUNS + 20_000, 2, 0, "R", 503, null);
            c.samples(CHAIN_C_RUNS + 20_000, end, 600_000, 2, 503, work[2]);
            c.finish(end);
        }
        return dir;
    }

    /**
     * tid blocks on CPU 1 in state at from (with the system call, futex op,
     * in_iowait and stack the recorder reads), is woken at to by waker (or
     * by an interrupt: context set, waker 0) and runs again 50 us later.
     */
    private static void block(SyntheticCapture c, int tid, String state, long from, long to, int waker, String context,
                              Long stack, String syscall, Integer futexOp, boolean iowait) throws Exception {
        c.contextSwitch(from, 1, tid, state, 0, stack, syscall, futexOp, iowait);
        c.wakeup(to, waker == 0 ? 1 : 0, tid, waker, 1, context);
        c.contextSwitch(to + 50_000, 1, 0, "R", tid, null);
    }
}
