package dev.profiler.formats;

import static dev.profiler.formats.Column.Kind.*;
import static dev.profiler.formats.Column.optional;
import static dev.profiler.formats.Column.required;

import java.util.List;

/**
 * The tables of a capture (format v1). Each is one Arrow IPC stream file
 * named {@code <name>.arrows} in the capture directory, and one SQL view of
 * the same name in the analyzer. docs/capture-format.md is generated from the
 * same definitions (see CaptureFormatDocTest), so the two cannot disagree.
 *
 * Timestamps are int64 nanoseconds of CLOCK_MONOTONIC; the manifest gives the
 * offset to wall-clock time.
 */
public enum CaptureTable {
    SAMPLES("samples", "one row per CPU sample",
        required("ts", INT64, "ns, CLOCK_MONOTONIC: when the sampling event fired"),
        required("cpu", INT32, "CPU the sample was taken on"),
        required("pid", INT32, "process (thread group) id; 0 = the CPU was idle"),
        required("tid", INT32, "thread id"),
        required("stack_id", INT64, "call stack, see stacks.stack_id"),
        required("weight", INT64, "ns of CPU time the sample stands for (the sampling period)"),
        optional("unwind", DICT_STRING, "how the user stack was walked with unwind tables (--call-graph dwarf):"
            + " complete (to the thread's first frame), fell back (frame pointers where no table held a pc: JIT code,"
            + " a library not loaded yet), truncated (at 127 frames), error (stopped early: unreadable stack, no step"
            + " possible); null with --call-graph fp, for a thread with no user stack, or in a capture older than the column")),
    STACKS("stacks", "one row per distinct call stack (deduplicated)",
        required("stack_id", INT64, "stack id"),
        required("frame_ids", INT64_LIST, "frames.frame_id, leaf (innermost) first: kernel frames, then user frames"),
        required("kernel_frames", INT16, "how many leading entries of frame_ids are kernel frames"),
        required("user_truncated", BOOL, "true when the user stack does not reach a thread entry point (_start, clone, start_thread...): frame-pointer unwinding stopped early")),
    FRAMES("frames", "one row per distinct frame (deduplicated)",
        required("frame_id", INT64, "frame id"),
        required("address", INT64, "runtime address first seen for this frame (kernel: kernel virtual address)"),
        optional("module", DICT_STRING, "file the code belongs to ([kernel.kallsyms] for the kernel, [jit] for perf-map code); null if unmapped"),
        optional("build_id", DICT_STRING, "GNU build id of the module, hex; null if it has none"),
        required("file_offset", INT64, "file offset of the address inside the module (kernel: the address)"),
        optional("function", STRING, "symbol name, demangled; null if unknown"),
        required("function_offset", INT64, "bytes from the start of the symbol (0 if unknown)"),
        optional("file", DICT_STRING, "source file (DWARF), null if unknown"),
        optional("line", INT32, "source line (DWARF), null if unknown"),
        required("inlined", BOOL, "true for a frame inlined into its caller"),
        required("kind", DICT_STRING, "kernel | user | jit")),
    SCHED_SWITCH("sched_switch", "one row per context switch",
        required("ts", INT64, "ns, CLOCK_MONOTONIC"),
        required("cpu", INT32, "CPU"),
        required("prev_tid", INT32, "thread switched out"),
        required("prev_state", DICT_STRING, "state it left in: R (preempted), S (sleeping), D (uninterruptible), T, t, X, Z, P, I"),
        required("next_tid", INT32, "thread switched in"),
        optional("prev_stack_id", INT64, "off-CPU stack of prev_tid (stacks.stack_id), when recorded"),
        optional("prev_syscall", DICT_STRING, "blocked (not R): the system call prev_tid blocked in, e.g. futex, read,"
            + " epoll_wait, nanosleep (x86-64, from its saved registers); null for a kernel thread, a wait outside a"
            + " system call (a page fault), or a capture older than the column"),
        optional("prev_futex_op", INT32, "blocked in futex(): its op, flags included (FUTEX_WAIT 0, FUTEX_WAIT_BITSET 9,"
            + " FUTEX_LOCK_PI 6, | 128 FUTEX_PRIVATE_FLAG, | 256 FUTEX_CLOCK_REALTIME); else null"),
        optional("prev_iowait", BOOL, "blocked with in_iowait set (io_schedule: waiting for block I/O or the page cache);"
            + " null in a capture older than the column")),
    SCHED_WAKEUP("sched_wakeup", "one row per wakeup",
        required("ts", INT64, "ns, CLOCK_MONOTONIC"),
        required("cpu", INT32, "CPU the waker ran on"),
        required("tid", INT32, "thread woken"),
        required("waker_tid", INT32, "thread that woke it (0 from interrupt context on an idle CPU)"),
        required("target_cpu", INT32, "CPU the woken thread was queued on"),
        required("kind", DICT_STRING, "waking | wakeup | wakeup_new"),
        optional("waker_context", DICT_STRING, "set when the wakeup ran in an interrupt, not in the waker thread:"
            + " hardirq (a device interrupt, see irq) | softirq | local_timer (hrtimers: sleeps, timeouts);"
            + " waker_tid is then just the thread the interrupt landed on")),
    LOCK_CONTENTION("lock_contention", "one row per kernel lock wait (lock:contention_begin/end)",
        required("ts_begin", INT64, "ns, CLOCK_MONOTONIC"),
        required("ts_end", INT64, "ns, CLOCK_MONOTONIC"),
        required("cpu", INT32, "CPU at begin"),
        required("tid", INT32, "waiting thread"),
        required("lock_addr", INT64, "kernel address of the lock"),
        optional("lock_symbol", DICT_STRING, "kernel symbol the lock lies in, when it does"),
        required("flags", INT32, "LCB_F_* flags of contention_begin (spin, read, write, mutex, ...)"),
        optional("stack_id", INT64, "kernel stack of the wait, taken at contention_end (its callers are those at begin: both fire in the same slow path)")),
    FUTEX_WAIT("futex_wait", "one row per user-space futex wait",
        required("ts_begin", INT64, "ns, CLOCK_MONOTONIC"),
        required("ts_end", INT64, "ns, CLOCK_MONOTONIC"),
        required("pid", INT32, "process"),
        required("tid", INT32, "waiting thread"),
        required("uaddr", INT64, "user address of the futex word"),
        optional("lock_symbol", DICT_STRING, "the data symbol of the program or library the futex word lies in"
            + " (a static pthread_mutex_t work_lock: \"work_lock\"; \"+0x8\" when inside one); null on the heap or stack"),
        required("op", INT32, "futex op (FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_LOCK_PI, ...)"),
        optional("stack_id", INT64, "user stack at entry")),
    IRQ("irq", "one row per interrupt handled",
        required("ts_begin", INT64, "ns, CLOCK_MONOTONIC"),
        required("ts_end", INT64, "ns, CLOCK_MONOTONIC"),
        required("cpu", INT32, "CPU"),
        required("kind", DICT_STRING, "hardirq | softirq | nmi"),
        required("number", INT32, "irq number or softirq vector"),
        optional("handler", DICT_STRING, "handler or softirq name"),
        required("interrupted_tid", INT32, "thread that was running")),
    THREADS("threads", "one row per thread seen",
        required("tid", INT32, "thread id"),
        required("pid", INT32, "process id"),
        optional("name", DICT_STRING, "thread name (comm), last seen"),
        required("first_seen", INT64, "ns, CLOCK_MONOTONIC"),
        required("last_seen", INT64, "ns, CLOCK_MONOTONIC")),
    PROCESSES("processes", "one row per process seen",
        required("pid", INT32, "process id"),
        optional("ppid", INT32, "parent process id"),
        optional("name", DICT_STRING, "process name (comm of the main thread)"),
        optional("cmdline", STRING, "command line, arguments separated by spaces"),
        optional("exec_ts", INT64, "ns, CLOCK_MONOTONIC of exec, when seen"),
        optional("exit_ts", INT64, "ns, CLOCK_MONOTONIC of exit, when seen"),
        optional("target", BOOL, "with -p or -- CMD: true for a process recorded (given, or started by one),"
            + " false for one seen only as the other side of a switch or wakeup; null when the whole machine is recorded")),
    MAPPINGS("mappings", "one row per executable memory mapping of a process seen",
        required("pid", INT32, "process id"),
        required("start_addr", INT64, "first address"),
        required("end_addr", INT64, "address past the end"),
        required("file_offset", INT64, "file offset of start_addr"),
        optional("path", DICT_STRING, "mapped file, or [vdso] etc."),
        optional("build_id", DICT_STRING, "GNU build id, hex"));

    private final String tableName;
    private final String description;
    private final List<Column> columns;

    CaptureTable(String tableName, String description, Column... columns) {
        this.tableName = tableName;
        this.description = description;
        this.columns = List.of(columns);
    }

    /** Table name: the file stem and the SQL view name. */
    public String tableName() { return tableName; }

    public String description() { return description; }

    public List<Column> columns() { return columns; }

    public String fileName() { return tableName + CaptureFiles.TABLE_SUFFIX; }

    /** Position of a column by name. */
    public int columnIndex(String name) {
        for (int i = 0; i < columns.size(); i++)
            if (columns.get(i).name().equals(name)) return i;
        throw new IllegalArgumentException(tableName + " has no column " + name);
    }
}
