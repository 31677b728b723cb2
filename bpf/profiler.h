/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The records that cross from BPF to user space, and nothing else.
 * Included by the BPF programs (bpf/NAME.bpf.c, with vmlinux.h) and by the
 * native shim (native/shim.c, with <linux/types.h>). Java reads the batch
 * tables (PROF_BATCH_TABLES) and the counters (PROF_COUNTERS) from the
 * shim; it mirrors only the records it decodes itself, in one class
 * (recorder/.../bpf/BpfRecords.java), and checks those offsets against the
 * shim's at load (pshim_record_layout). Bump PROF_ABI_VERSION, and
 * BpfRecords.ABI_VERSION, when what a field means changes.
 */
#ifndef PROFILER_H
#define PROFILER_H

#define PROF_ABI_VERSION 14

/* Deepest stack captured per side (kernel, user); the kernel's default
 * perf_event_max_stack is 127 too. */
#define PROF_MAX_FRAMES 127

/* First field of every record: what follows. */
enum prof_record_kind {
	PROF_REC_SAMPLE = 1,
	PROF_REC_SWITCH = 2,
	PROF_REC_WAKEUP = 3,
	PROF_REC_LOCK = 4,
	PROF_REC_FUTEX = 5,
	PROF_REC_IRQ = 6,
	PROF_REC_PROC = 7,
};

/* Per-CPU counters the BPF side keeps (index into the counters map). Failed
 * outputs are counted here, in BPF, because a full buffer is the only
 * truthful place to see a loss.
 * X(COUNTER_ID, "source", "stream", "kind"): the recorded source whose
 * programs count it (PSHIM_SOURCES' names; "samples" is always on), what it
 * counts, and how the manifest reports it: "emitted" and "lost" per CPU of
 * a record stream, "unpaired" events, "unwind" outcomes (in
 * PROF_UNWIND_OUTCOMES order). Java reads the list from the shim. */
#define PROF_COUNTERS(X) \
	X(PROF_CNT_SAMPLES_EMITTED, "samples", "samples", "emitted") \
	X(PROF_CNT_SAMPLES_LOST, "samples", "samples", "lost")        /* ring buffer full: sample dropped */ \
	X(PROF_CNT_SWITCH_EMITTED, "sched", "sched_switch", "emitted") \
	X(PROF_CNT_SWITCH_LOST, "sched", "sched_switch", "lost") \
	X(PROF_CNT_WAKEUP_EMITTED, "sched", "sched_wakeup", "emitted") \
	X(PROF_CNT_WAKEUP_LOST, "sched", "sched_wakeup", "lost") \
	X(PROF_CNT_LOCK_EMITTED, "locks", "lock_contention", "emitted") \
	X(PROF_CNT_LOCK_LOST, "locks", "lock_contention", "lost") \
	/* contention_begin and contention_end do not pair 1:1 (measured): a \
	 * begin replaced by another begin for the same task and lock, or an end \
	 * with no begin, is counted here instead of given a made-up duration */ \
	X(PROF_CNT_LOCK_UNPAIRED_BEGIN, "locks", "lock_contention_begin", "unpaired") \
	X(PROF_CNT_LOCK_UNPAIRED_END, "locks", "lock_contention_end", "unpaired") \
	X(PROF_CNT_FUTEX_EMITTED, "futex", "futex_wait", "emitted") \
	X(PROF_CNT_FUTEX_LOST, "futex", "futex_wait", "lost") \
	X(PROF_CNT_IRQ_EMITTED, "sched", "irq", "emitted") \
	X(PROF_CNT_IRQ_LOST, "sched", "irq", "lost") \
	X(PROF_CNT_NMI_EMITTED, "sched", "nmi", "emitted") \
	X(PROF_CNT_NMI_LOST, "sched", "nmi", "lost") \
	/* samples by the outcome of their user stack's walk with the unwind \
	 * tables (enum prof_unwind_outcome, in that order) */ \
	X(PROF_CNT_UNWIND_COMPLETE, "samples", "complete", "unwind") \
	X(PROF_CNT_UNWIND_FELL_BACK, "samples", "fell back", "unwind") \
	X(PROF_CNT_UNWIND_TRUNCATED, "samples", "truncated", "unwind") \
	X(PROF_CNT_UNWIND_ERROR, "samples", "error", "unwind") \
	X(PROF_CNT_LIBS_EMITTED, "libraries", "library_change", "emitted") \
	X(PROF_CNT_LIBS_LOST, "libraries", "library_change", "lost")

/* The enum of an X-macro list: its ids, 0, 1, 2, ... in list order. */
#define PROF_LIST_ID(id, ...) id,
enum prof_counter { PROF_COUNTERS(PROF_LIST_ID) PROF_CNT_MAX };

/* One CPU sample: a perf_event (cpu-clock or cycles) fired on `cpu`.
 * Followed by kstack_len kernel return addresses, then ustack_len user
 * return addresses, each leaf first, 8 bytes each. */
struct prof_sample {
	__u32 kind;        /* PROF_REC_SAMPLE */
	__u32 cpu;
	__u64 ts;          /* CLOCK_MONOTONIC, ns (bpf_ktime_get_ns) */
	__u32 pid;         /* thread group id; 0 = idle */
	__u32 tid;
	__u16 kstack_len;  /* kernel frames that follow */
	__u16 ustack_len;  /* user frames that follow the kernel ones */
	__u32 flags;       /* PROF_SAMPLE_F_* */
	char comm[16];     /* thread name at sample time */
	__u64 ips[];
};

#define PROF_SAMPLE_F_KSTACK_ERR 1 /* bpf_get_stack failed for the kernel side */
#define PROF_SAMPLE_F_USTACK_ERR 2 /* ...and for the user side */
/* How the user stack was unwound (--call-graph dwarf; none set: by frame
 * pointers, the kernel's walk). The shim turns them into the unwind column. */
#define PROF_SAMPLE_F_UNWIND_TABLES 4   /* the tables walked it */
#define PROF_SAMPLE_F_UNWIND_FP_STEP 8  /* ...with frame-pointer steps where no table row held the pc */
#define PROF_SAMPLE_F_UNWIND_END 16     /* ...to the outermost frame (a row whose return address is undefined, or rbp 0) */
#define PROF_SAMPLE_F_UNWIND_LIMIT 32   /* ...and stopped at PROF_MAX_FRAMES */
#define PROF_SAMPLE_F_UNWIND_ERROR 64   /* ...and stopped where a read failed or no step was possible */

/* A sample's unwind column (PROF_UNWIND_OUTCOMES): what became of the walk. */
enum prof_unwind_outcome {
	PROF_UNWIND_NONE = -1,     /* frame pointers (--call-graph fp), or no user stack */
	PROF_UNWIND_COMPLETE = 0,  /* the tables led to the outermost frame */
	PROF_UNWIND_FELL_BACK = 1, /* ...with frame-pointer steps where no table held a pc */
	PROF_UNWIND_TRUNCATED = 2, /* stopped at PROF_MAX_FRAMES */
	PROF_UNWIND_ERROR = 3,     /* stopped early: a read failed, or no step was possible */
};
#define PROF_UNWIND_OUTCOMES "complete", "fell back", "truncated", "error"

static inline int prof_unwind_outcome(__u32 flags)
{
	if (!(flags & PROF_SAMPLE_F_UNWIND_TABLES))
		return PROF_UNWIND_NONE;
	if (flags & PROF_SAMPLE_F_UNWIND_LIMIT)
		return PROF_UNWIND_TRUNCATED;
	if ((flags & PROF_SAMPLE_F_UNWIND_ERROR) || !(flags & PROF_SAMPLE_F_UNWIND_END))
		return PROF_UNWIND_ERROR;
	return (flags & PROF_SAMPLE_F_UNWIND_FP_STEP) ? PROF_UNWIND_FELL_BACK : PROF_UNWIND_COMPLETE;
}

/* A context switch on `cpu` (tp_btf/sched_switch). */
struct prof_switch {
	__u32 kind;        /* PROF_REC_SWITCH */
	__u32 cpu;
	__u64 ts;
	__u32 prev_tid;
	__u32 prev_pid;
	__u32 next_tid;
	__u32 next_pid;
	__u32 prev_state;  /* the tracepoint's prev_state (task __state bits) */
	__u16 prev_exit_state; /* prev->exit_state (EXIT_ZOMBIE, EXIT_DEAD) */
	__u8 preempt;      /* 1: prev was preempted (still runnable) */
	__u8 prev_iowait;  /* 1: prev blocked with in_iowait set (io_schedule: block I/O, page cache) */
	char prev_comm[16];
	char next_comm[16];
	__u16 kstack_len;  /* off-CPU stack of prev (--offcpu-stacks), else 0 */
	__u16 ustack_len;
	/* What a user thread that blocked was doing, read from its saved user
	 * registers: the system call it is in (-1: not in one, a kernel thread,
	 * not blocked, or an architecture other than x86-64), and for futex()
	 * its op (PROF_NO_FUTEX_OP otherwise). A few bytes that tell a lock
	 * wait from a read of an empty pipe without any stack. */
	__s16 prev_syscall;
	__u16 prev_futex_op;
	__u64 ips[];       /* kstack_len kernel, then ustack_len user addresses */
};

/* System call numbers recorded are below this; the Java side names them
 * (SyscallNames, a dictionary of exactly this many entries). */
#define PROF_MAX_SYSCALL 512
#define PROF_NO_FUTEX_OP 0xffff

/* A wakeup (tp_btf/sched_waking, sched_wakeup, sched_wakeup_new). */
enum prof_wake_kind {
	PROF_WAKE_WAKING = 0,     /* in the waker's context: waker_tid is the waker */
	PROF_WAKE_WAKEUP = 1,     /* the task is runnable on target_cpu */
	PROF_WAKE_WAKEUP_NEW = 2, /* a new task's first wakeup */
};

/* The context the wakeup ran in when not a task's own (index into
 * PROF_WAKER_CONTEXTS): from interrupt context, waker_tid is merely the
 * thread the interrupt landed on. */
enum prof_waker_context {
	PROF_WAKER_TASK = -1,       /* a task woke it: waker_tid is the waker */
	PROF_WAKER_HARDIRQ = 0,     /* a device interrupt handler (its row is in the irq table) */
	PROF_WAKER_SOFTIRQ = 1,     /* a softirq (TIMER: timer_list timers, NET_RX, ...) */
	PROF_WAKER_LOCAL_TIMER = 2, /* the local APIC timer interrupt: hrtimers (nanosleep, timeouts) */
};

struct prof_wakeup {
	__u32 kind;        /* PROF_REC_WAKEUP */
	__u32 cpu;         /* CPU the event fired on */
	__u64 ts;
	__u32 tid;         /* woken */
	__u32 pid;
	__u32 waker_tid;   /* current task (0: idle / interrupt on an idle CPU) */
	__u32 target_cpu;  /* task_cpu() of the woken task */
	__u32 wake_kind;   /* enum prof_wake_kind */
	__s32 waker_context; /* enum prof_waker_context */
};

/* A kernel lock wait (lock:contention_begin paired with contention_end for
 * the same task and lock), written at the end. Followed by kstack_len kernel
 * addresses: the stack at contention_end, whose callers are those at begin
 * (both tracepoints fire in the same slow-path function). */
struct prof_lock {
	__u32 kind;        /* PROF_REC_LOCK */
	__u32 cpu;         /* CPU at begin */
	__u64 ts_begin;
	__u64 ts_end;
	__u32 tid;
	__u32 pid;
	__u64 lock_addr;
	__u32 flags;       /* LCB_F_* of contention_begin */
	__s32 ret;         /* contention_end's ret (0, or -EINTR...) */
	__u16 kstack_len;
	__u16 reserved;
	__u32 reserved2;
	__u64 ips[];
};

/* A user-space futex wait: one futex() call with a waiting op, from entry
 * to return (the syscalls:sys_enter_futex / sys_exit_futex tracepoints).
 * Followed by ustack_len user addresses: the caller's stack (unchanged
 * while it waits in the kernel). */
struct prof_futex {
	__u32 kind;        /* PROF_REC_FUTEX */
	__u32 cpu;         /* CPU at return */
	__u64 ts_begin;
	__u64 ts_end;
	__u32 tid;
	__u32 pid;
	__u64 uaddr;
	__u32 op;          /* futex op, FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME included */
	__s32 ret;         /* 0, or -ETIMEDOUT, -EAGAIN, -EINTR... */
	__u16 ustack_len;
	__u16 reserved;
	__u32 reserved2;
	__u64 ips[];
};

/* Interrupt handling on `cpu`: a hardirq handler (irq_handler_entry/exit),
 * a softirq vector (softirq_entry/exit) or an NMI handler (nmi_handler,
 * which reports its own duration). */
enum prof_irq_kind {
	PROF_IRQ_HARDIRQ = 0,
	PROF_IRQ_SOFTIRQ = 1,
	PROF_IRQ_NMI = 2,
};

struct prof_irq {
	__u32 kind;        /* PROF_REC_IRQ */
	__u32 cpu;
	__u64 ts_begin;
	__u64 ts_end;
	__u32 irq_kind;    /* enum prof_irq_kind */
	__u32 number;      /* irq number, softirq vector; 0 for NMI */
	__u32 interrupted_tid;
	__u32 reserved;
	__u64 handler;     /* NMI: handler function address; else 0 */
	char name[32];     /* hardirq: the irqaction's name; else empty */
};

/* A process or thread lifecycle event (tp_btf/sched_process_fork, _exec,
 * _exit), or a change of a process's loaded libraries (bpf/libraries.bpf.c). */
enum prof_proc_what {
	PROF_PROC_FORK = 0,  /* pid/tid: the new task; ppid: the parent's tgid */
	PROF_PROC_EXEC = 1,  /* pid: the process that exec'd; comm: its new name */
	PROF_PROC_EXIT = 2,  /* a thread exited; group_dead: the last one of its process */
	PROF_PROC_LIBS = 3,  /* its loader changed its loaded libraries (bpf/libraries.bpf.c) */
};

struct prof_proc {
	__u32 kind;        /* PROF_REC_PROC */
	__u32 what;        /* enum prof_proc_what */
	__u64 ts;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 group_dead;
	char comm[16];
	/* exec: where the new program's code was mapped, and its path as
	 * given to execve, so a process gone before the recorder reads /proc
	 * still symbolizes its own code */
	__u64 start_code;
	__u64 end_code;
	char filename[128];
};

/*
 * Unwind tables (--call-graph dwarf), the one thing that crosses the other
 * way: Java builds them from each mapped ELF file's .eh_frame
 * (recorder/.../unwind), the shim copies them into the sampler's maps, and
 * the walker (bpf/unwind.bpf.h) reads them. A file's code is cut into
 * 64 KiB pages; a page's rows are a range of the global row array, sorted
 * by pc, the first one at the page's start. A row is 4 bytes: the low 16
 * bits of its pc and an index into a global array of deduplicated rules.
 */
#define PROF_UNWIND_PAGE_SHIFT 16
#define PROF_UNWIND_ROWS_PER_CHUNK 1024  /* rows per element of the row array */
#define PROF_UNWIND_MAX_MAPPINGS 128     /* mappings with tables per process */

struct prof_unwind_row {
	__u16 pc_low;      /* pc & 0xffff: the rule holds from here to the next row */
	__u16 rule;        /* index into the rule array */
};

/* How the CFA (the caller's rsp) is found, and the caller's rbp; the return
 * address is at CFA - 8. NONE: no rule here, take a frame-pointer step. */
enum prof_unwind_cfa {
	PROF_CFA_NONE = 0,
	PROF_CFA_RSP = 1,  /* rsp + cfa_off */
	PROF_CFA_RBP = 2,  /* rbp + cfa_off */
	PROF_CFA_PLT = 3,  /* rsp + 8, + 8 once pc & 15 >= cfa_off (a PLT entry) */
	PROF_CFA_END = 4,  /* the outermost frame: the walk is complete */
};
enum prof_unwind_rbp {
	PROF_RBP_KEEP = 0,   /* the caller's rbp is still in rbp */
	PROF_RBP_AT_CFA = 1, /* saved at CFA + rbp_off */
};

struct prof_unwind_rule {
	__s32 cfa_off;
	__s16 rbp_off;
	__u8 cfa;          /* enum prof_unwind_cfa */
	__u8 rbp;          /* enum prof_unwind_rbp */
};

/* Rules every table shares, at these indexes. */
#define PROF_UNWIND_RULE_NONE 0
#define PROF_UNWIND_RULE_END 1

/* A 64 KiB page of a file's code: its rows are rows[first, first + count). */
struct prof_unwind_page {
	__u32 first;
	__u32 count;       /* 0: no rows (a frame-pointer step) */
};

/* An executable mapping of a process whose file has a table. */
struct prof_unwind_mapping {
	__u64 start;
	__u64 end;
	__u64 bias;        /* pc - bias is the address in the file (its ELF vaddr) */
	__u32 page_base;   /* the file's first page in the page array */
	__u32 first_page;  /* vaddr >> PROF_UNWIND_PAGE_SHIFT of that page */
	__u32 page_count;
	__u32 reserved;
};

/* A process's mappings with tables, sorted by start. */
struct prof_unwind_process {
	__u32 count;
	__u32 reserved;
	struct prof_unwind_mapping mappings[PROF_UNWIND_MAX_MAPPINGS];
};

/*
 * What the shim (native/event_batch.c) hands to Java after each poll, so
 * that Java does no work per event: each table's rows as columns, plus these
 * two record lists, each only as long as what is new or active in the batch.
 */

/* A distinct raw stack (pid + addresses), reported once, the first time it
 * is seen. raw_id counts 0, 1, 2, ... in the order stacks are reported.
 * Followed by kstack_len + ustack_len addresses (kernel first, leaf first).
 * Records are packed back to back; each is 16 + 8 * (kstack_len + ustack_len)
 * bytes. */
struct prof_stack_def {
	__u32 raw_id;
	__u32 pid;
	__u16 kstack_len;
	__u16 ustack_len;
	__u32 flags;       /* PROF_STACK_F_* */
	__u64 ips[];
};

/* Taken inside a tracing program (switch, lock, futex), not by the sampler:
 * its leaf kernel frames are the tracing machinery (the BPF program,
 * bpf_trace_run*), which Java trims. */
#define PROF_STACK_F_EVENT 1

/* A thread seen in samples, scheduler or process events: listed in the
 * batch it was first seen in, and once more in the list of every thread at
 * the stop (native/thread_table.h). */
struct prof_thread_seen {
	__u32 tid;
	__u32 pid;
	__u64 first_ts;    /* its first event in the recording */
	__u64 last_ts;     /* its last event so far */
	char comm[16];     /* latest name */
};

/*
 * The tables a batch fills, each with its columns, defined once here and
 * read by the shim (native/event_batch.c sizes its buffers from them) and
 * by Java (through pshim_table_*: BatchLayout copies each column into the
 * capture column of the same name, and refuses to record when the names or
 * widths differ from formats/.../CaptureTable.java).
 *
 * PROF_BATCH_TABLES: X(TABLE_ID, "capture table", ITS_COLUMNS).
 * Each ITS_COLUMNS: X(COLUMN_ID, bytes, "capture column"). A column is an
 * array of the batch's row count of little-endian values; the capture
 * columns come first, in the capture table's order; a name starting with
 * '_' is the shim's aid to Java (read, not written). Optional columns hold
 * -1 for null; dictionary columns hold an index into their dictionary.
 */
#define PROF_SAMPLE_COLUMNS(X) \
	X(PROF_COL_TS, 8, "ts") \
	X(PROF_COL_CPU, 4, "cpu") \
	X(PROF_COL_PID, 4, "pid") \
	X(PROF_COL_TID, 4, "tid") \
	X(PROF_COL_STACK_ID, 8, "stack_id")  /* the raw id until Java commits the batch, then its stack_id */ \
	X(PROF_COL_WEIGHT, 8, "weight")      /* filled by the commit */ \
	X(PROF_COL_UNWIND, 4, "unwind")      /* enum prof_unwind_outcome: PROF_UNWIND_OUTCOMES */

#define PROF_SWITCH_COLUMNS(X) \
	X(PROF_SW_TS, 8, "ts") \
	X(PROF_SW_CPU, 4, "cpu") \
	X(PROF_SW_PREV_TID, 4, "prev_tid") \
	X(PROF_SW_PREV_STATE, 4, "prev_state")         /* PROF_TASK_STATES */ \
	X(PROF_SW_NEXT_TID, 4, "next_tid") \
	X(PROF_SW_PREV_STACK, 8, "prev_stack_id")      /* a raw id until the commit, then a stack_id */ \
	X(PROF_SW_PREV_SYSCALL, 4, "prev_syscall")     /* the system call number: the syscall names */ \
	X(PROF_SW_PREV_FUTEX_OP, 4, "prev_futex_op") \
	X(PROF_SW_PREV_IOWAIT, 1, "prev_iowait")       /* 0 or 1 */

#define PROF_WAKEUP_COLUMNS(X) \
	X(PROF_WK_TS, 8, "ts") \
	X(PROF_WK_CPU, 4, "cpu") \
	X(PROF_WK_TID, 4, "tid") \
	X(PROF_WK_WAKER_TID, 4, "waker_tid") \
	X(PROF_WK_TARGET_CPU, 4, "target_cpu") \
	X(PROF_WK_KIND, 4, "kind")                     /* enum prof_wake_kind: PROF_WAKE_KINDS */ \
	X(PROF_WK_WAKER_CONTEXT, 4, "waker_context")   /* enum prof_waker_context: PROF_WAKER_CONTEXTS */

#define PROF_LOCK_COLUMNS(X) \
	X(PROF_LK_TS_BEGIN, 8, "ts_begin") \
	X(PROF_LK_TS_END, 8, "ts_end") \
	X(PROF_LK_CPU, 4, "cpu") \
	X(PROF_LK_TID, 4, "tid") \
	X(PROF_LK_ADDR, 8, "lock_addr") \
	X(PROF_LK_SYMBOL, 4, "lock_symbol")    /* -1; Java writes the index of the lock's symbol */ \
	X(PROF_LK_FLAGS, 4, "flags") \
	X(PROF_LK_STACK, 8, "stack_id")        /* a raw id until the commit, then a stack_id */

#define PROF_FUTEX_COLUMNS(X) \
	X(PROF_FX_TS_BEGIN, 8, "ts_begin") \
	X(PROF_FX_TS_END, 8, "ts_end") \
	X(PROF_FX_PID, 4, "pid") \
	X(PROF_FX_TID, 4, "tid") \
	X(PROF_FX_UADDR, 8, "uaddr") \
	X(PROF_FX_SYMBOL, 4, "lock_symbol")    /* -1; Java writes the index of the data symbol the word lies in */ \
	X(PROF_FX_OP, 4, "op") \
	X(PROF_FX_STACK, 8, "stack_id")        /* a raw id until the commit, then a stack_id */

#define PROF_IRQ_COLUMNS(X) \
	X(PROF_IQ_TS_BEGIN, 8, "ts_begin") \
	X(PROF_IQ_TS_END, 8, "ts_end") \
	X(PROF_IQ_CPU, 4, "cpu") \
	X(PROF_IQ_KIND, 4, "kind")             /* enum prof_irq_kind: PROF_IRQ_KINDS */ \
	X(PROF_IQ_NUMBER, 4, "number") \
	X(PROF_IQ_HANDLER, 4, "handler")       /* -1; Java writes the index of the handler's name */ \
	X(PROF_IQ_TID, 4, "interrupted_tid") \
	X(PROF_IQ_NAME_ID, 4, "_name_id")      /* id of the name in the batch's name list, or -1 */ \
	X(PROF_IQ_ADDR, 8, "_addr")            /* NMI handler address, or 0 */

#define PROF_BATCH_TABLES(X) \
	X(PROF_TABLE_SAMPLES, "samples", PROF_SAMPLE_COLUMNS) \
	X(PROF_TABLE_SWITCHES, "sched_switch", PROF_SWITCH_COLUMNS) \
	X(PROF_TABLE_WAKEUPS, "sched_wakeup", PROF_WAKEUP_COLUMNS) \
	X(PROF_TABLE_LOCKS, "lock_contention", PROF_LOCK_COLUMNS) \
	X(PROF_TABLE_FUTEX, "futex_wait", PROF_FUTEX_COLUMNS) \
	X(PROF_TABLE_IRQ, "irq", PROF_IRQ_COLUMNS)

enum prof_batch_table { PROF_BATCH_TABLES(PROF_LIST_ID) PROF_TABLE_COUNT };
enum prof_sample_column { PROF_SAMPLE_COLUMNS(PROF_LIST_ID) PROF_COL_COUNT };
enum prof_switch_column { PROF_SWITCH_COLUMNS(PROF_LIST_ID) PROF_SW_COUNT };
enum prof_wakeup_column { PROF_WAKEUP_COLUMNS(PROF_LIST_ID) PROF_WK_COUNT };
enum prof_lock_column { PROF_LOCK_COLUMNS(PROF_LIST_ID) PROF_LK_COUNT };
enum prof_futex_column { PROF_FUTEX_COLUMNS(PROF_LIST_ID) PROF_FX_COUNT };
enum prof_irq_column { PROF_IRQ_COLUMNS(PROF_LIST_ID) PROF_IQ_COUNT };

/* A name the shim saw first in this batch (hardirq action names, softirq
 * vector names), packed back to back: 8 + len rounded up to 8 bytes. */
struct prof_name_def {
	__u32 id;
	__u32 len;
	char bytes[];
};

/* Dictionary values, in index order, of sched_switch.prev_state (as the
 * kernel's own sched_switch output letters them: "RSDTtXZPI", then "?" for
 * a state it does not know), sched_wakeup.kind and .waker_context, irq.kind. */
#define PROF_TASK_STATES "R", "S", "D", "T", "t", "X", "Z", "P", "I", "?"
#define PROF_TASK_STATE_UNKNOWN 9
#define PROF_WAKE_KINDS "waking", "wakeup", "wakeup_new"
#define PROF_WAKER_CONTEXTS "hardirq", "softirq", "local_timer"
#define PROF_IRQ_KINDS "hardirq", "softirq", "nmi"
/* include/linux/interrupt.h, by vector number */
#define PROF_SOFTIRQ_NAMES "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"

#endif /* PROFILER_H */
