// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler events: context switches and wakeups, into the `events` ring
 * buffer.
 *
 * Transport rule (docs/design.md, "One ring buffer per writer"): these
 * programs never write the sampler's `samples` ring buffer, and the sampler
 * never writes `events`. A sampling NMI that lands while a program here holds
 * `events`' lock then has no lock of its own to wait for: on kernels
 * 6.15-6.18 sharing one buffer froze machines for 250 ms (rqspinlock bug).
 * The tests check which programs write which ring buffer.
 *
 * target_tgids and counters are the sampler object's maps (the shim reuses
 * their fds), so -p / -- CMD filter every source the same way.
 *
 * These programs run a million times a second in a switch storm, so task
 * fields are read with plain loads through the tp_btf arguments (BTF
 * pointers; CO-RE still relocates the offsets), not BPF_CORE_READ, which
 * calls bpf_probe_read_kernel once per field: measured with
 * kernel.bpf_stats_enabled on a pinned ping-pong, on_switch went from ~510
 * to ~250 ns a run and on_wakeup from ~275 to ~190.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "profiler.h"
#include "common.bpf.h"
#include "wakeup.h"
#include "unwind.bpf.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h: kernel threads have no user stack */

char LICENSE[] SEC("license") = "GPL";

/* The shim reads this kernel's BTF: 1 when tp_btf/sched_switch passes
 * prev_state as its 4th argument (Linux 5.18+); older kernels have 3
 * arguments and the state is read from the task. The branch not taken is
 * removed by the verifier, so the program loads on both. */
const volatile __u32 switch_has_prev_state = 1;
const volatile __u32 offcpu_stacks = 0;   /* 1: stack of every task switched out */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024); /* resized by user space */
} events SEC(".maps");

/* Room for a switch record with both stacks; too big for the BPF stack. */
struct switch_scratch {
	struct prof_switch hdr;
	__u64 ips[2 * PROF_MAX_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct switch_scratch);
} switch_scratch SEC(".maps");

/* Kernels before 5.14 called the task state `state`. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));


/* For a record already reserved in `events` (it counts in the pending data). */
static __always_inline __u64 wake_flags(__u64 size)
{
	return wake_flags_for(bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA), size, wakeup_bytes);
}

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/* x86-64's entry code stores -ENOSYS in the saved ax before it calls the
 * system call, and the return value replaces it only on the way out: so
 * ax == -ENOSYS says the task is inside a system call, whose number is in
 * orig_ax. After a page fault from user mode, orig_ax holds the fault's
 * error code instead, and ax the user's own rax (-ENOSYS only by chance). */
#define ENTRY_AX_IN_SYSCALL (-38L)
#define NR_FUTEX 202

/* What prev was waiting for, as far as its registers tell: only for a
 * user thread that blocks (preempted and kernel threads wait for nothing
 * their registers say). One helper call and three loads. */
static __always_inline void fill_wait_context(struct prof_switch *r, struct task_struct *prev)
{
	r->prev_syscall = -1;
	r->prev_futex_op = PROF_NO_FUTEX_OP;
	r->prev_iowait = 0;
	if (r->preempt || r->prev_state == 0)
		return;
	r->prev_iowait = BPF_CORE_READ_BITFIELD(prev, in_iowait);
#if defined(__TARGET_ARCH_x86)
	if (prev->flags & PF_KTHREAD)
		return;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);
	if (!regs || (long)regs->ax != ENTRY_AX_IN_SYSCALL)
		return;
	long nr = (long)regs->orig_ax;
	if (nr < 0 || nr >= PROF_MAX_SYSCALL)
		return;
	r->prev_syscall = nr;
	if (nr == NR_FUTEX)
		r->prev_futex_op = (__u16)regs->si;
#endif
}

static __always_inline void fill_switch(struct prof_switch *r, bool preempt, struct task_struct *prev,
					struct task_struct *next, unsigned long long *ctx)
{
	r->kind = PROF_REC_SWITCH;
	r->cpu = bpf_get_smp_processor_id();
	r->ts = bpf_ktime_get_ns();
	r->prev_tid = prev->pid;
	r->prev_pid = prev->tgid;
	r->next_tid = next->pid;
	r->next_pid = next->tgid;
	if (switch_has_prev_state)
		r->prev_state = (__u32)ctx[3];
	else
		r->prev_state = task_state(prev);
	r->prev_exit_state = prev->exit_state;
	r->preempt = preempt;
	fill_wait_context(r, prev);
	/* task comms through the BTF pointers: plain loads, no helper call */
	__builtin_memcpy(r->prev_comm, prev->comm, sizeof(r->prev_comm));
	__builtin_memcpy(r->next_comm, next->comm, sizeof(r->next_comm));
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 prev_pid = prev->tgid, next_pid = next->tgid;
	__u32 prev_tid = prev->pid, next_tid = next->pid;

	/* The recorder's own switches against the idle task are left out (an
	 * idle machine would otherwise record mostly the recorder); a switch
	 * between it and another thread is kept, or that thread's timeline
	 * would have a hole. */
	if ((is_self(prev_pid) || prev_tid == 0) && (is_self(next_pid) || next_tid == 0))
		return 0;
	if (!wanted(prev_pid) && !wanted(next_pid))
		return 0;

	if (!offcpu_stacks) {
		/* The common case, written in place: no copy, no scratch. */
		struct prof_switch *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (!r) {
			count(PROF_CNT_SWITCH_LOST);
			return 0;
		}
		fill_switch(r, preempt, prev, next, ctx);
		r->kstack_len = 0;
		r->ustack_len = 0;
		bpf_ringbuf_submit(r, wake_flags(sizeof(*r)));
		count(PROF_CNT_SWITCH_EMITTED);
		return 0;
	}

	/* With stacks, built in per-CPU scratch: the size is known only after
	 * bpf_get_stack, and reserving the maximum would waste the ring. */
	__u32 zero = 0;
	struct switch_scratch *s = bpf_map_lookup_elem(&switch_scratch, &zero);
	if (!s)
		return 0;
	struct prof_switch *r = &s->hdr;
	fill_switch(r, preempt, prev, next, ctx);

	/* This tracepoint runs on prev's stack, before the switch: its kernel
	 * stack says where it blocked, its user stack where it entered. */
	__u32 kn = 0, un = 0;
	if (r->prev_tid != 0) {
		long kb = bpf_get_stack(ctx, s->ips, PROF_MAX_FRAMES * 8, 0);
		kn = kb > 0 ? ((__u32)kb / 8) & 127 : 0;
		if (!(prev->flags & PF_KTHREAD) && unwind_with_tables) {
			__u32 flags = 0; /* the outcome is kept for samples only */
			un = unwind_current(NULL, r->prev_pid, s->ips, kn, &flags);
		} else if (!(prev->flags & PF_KTHREAD)) {
			long ub = bpf_get_stack(ctx, &s->ips[kn], PROF_MAX_FRAMES * 8, BPF_F_USER_STACK);
			un = ub > 0 ? ((__u32)ub / 8) & 127 : 0;
		}
	}
	r->kstack_len = kn;
	r->ustack_len = un;
	__u64 size = sizeof(*r) + (__u64)(kn + un) * 8;
	if (size > sizeof(*s))
		size = sizeof(*s);
	if (bpf_ringbuf_output(&events, s, size,
			       wake_flags_for(bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + ring_bytes(size), size, wakeup_bytes)) == 0)
		count(PROF_CNT_SWITCH_EMITTED);
	else
		count(PROF_CNT_SWITCH_LOST);
	return 0;
}

struct irq_entry {
	__u64 ts;
	__u32 number;
	__u32 tid;
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3); /* PROF_IRQ_HARDIRQ, PROF_IRQ_SOFTIRQ, LOCAL_TIMER_SLOT */
	__type(key, __u32);
	__type(value, struct irq_entry);
} irq_entries SEC(".maps");

/* irq_entries slot marking "inside the local APIC timer interrupt" (its
 * hrtimer callbacks wake sleepers); no irq rows are written for it. */
#define LOCAL_TIMER_SLOT 2

static __always_inline bool inside(__u32 slot)
{
	struct irq_entry *e = bpf_map_lookup_elem(&irq_entries, &slot);
	return e && e->ts;
}

/* In which interrupt, if any, this wakeup runs (the innermost: a hardirq
 * can interrupt a softirq, nothing interrupts a hardirq but an NMI). */
static __always_inline __s32 waker_context(void)
{
	if (inside(LOCAL_TIMER_SLOT))
		return PROF_WAKER_LOCAL_TIMER;
	if (inside(PROF_IRQ_HARDIRQ))
		return PROF_WAKER_HARDIRQ;
	if (inside(PROF_IRQ_SOFTIRQ))
		return PROF_WAKER_SOFTIRQ;
	return PROF_WAKER_TASK;
}

static __always_inline int on_wake(struct task_struct *p, __u32 kind)
{
	__u32 pid = p->tgid;
	if (is_self(pid) || !wanted(pid))
		return 0;
	struct prof_wakeup *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(PROF_CNT_WAKEUP_LOST);
		return 0;
	}
	r->kind = PROF_REC_WAKEUP;
	r->cpu = bpf_get_smp_processor_id();
	r->ts = bpf_ktime_get_ns();
	r->tid = p->pid;
	r->pid = pid;
	r->waker_tid = (__u32)bpf_get_current_pid_tgid();
	r->target_cpu = p->thread_info.cpu;
	r->wake_kind = kind;
	r->waker_context = waker_context();
	bpf_ringbuf_submit(r, wake_flags(sizeof(*r)));
	count(PROF_CNT_WAKEUP_EMITTED);
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(on_waking, struct task_struct *p)
{
	return on_wake(p, PROF_WAKE_WAKING);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	return on_wake(p, PROF_WAKE_WAKEUP);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct *p)
{
	return on_wake(p, PROF_WAKE_WAKEUP_NEW);
}

/*
 * Interrupts. Hardirq and softirq handling is paired per CPU (a hardirq can
 * interrupt a softirq, so each kind has its own slot; neither nests within
 * itself). These programs write `events` too: they run in hardirq or softirq
 * context, which cannot interrupt a program holding the ring buffer's lock
 * (it is taken with interrupts off); only an NMI can, and the NMI program
 * below writes a ring buffer of its own. The entry slots (irq_entries) are
 * declared above the wakeup programs, which read them.
 */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} nmi_events SEC(".maps");

static __always_inline int irq_enter(__u32 kind, __u32 number, struct irqaction *action)
{
	struct irq_entry *e = bpf_map_lookup_elem(&irq_entries, &kind);
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_ns();
	e->number = number;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->name[0] = 0;
	if (action)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), BPF_CORE_READ(action, name));
	return 0;
}

static __always_inline int irq_exit(__u32 kind, __u32 number)
{
	struct irq_entry *e = bpf_map_lookup_elem(&irq_entries, &kind);
	if (!e || !e->ts || e->number != number)
		return 0; /* entered before recording started */
	__u64 begin = e->ts;
	e->ts = 0;
	if (filter_by_tgid) {
		/* with -p / -- CMD: only interrupts that held up a target */
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		if (!wanted(BPF_CORE_READ(t, tgid)))
			return 0;
	}
	struct prof_irq *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(PROF_CNT_IRQ_LOST);
		return 0;
	}
	r->kind = PROF_REC_IRQ;
	r->cpu = bpf_get_smp_processor_id();
	r->ts_begin = begin;
	r->ts_end = bpf_ktime_get_ns();
	r->irq_kind = kind;
	r->number = number;
	r->interrupted_tid = e->tid;
	r->reserved = 0;
	r->handler = 0;
	__builtin_memcpy(r->name, e->name, sizeof(r->name));
	bpf_ringbuf_submit(r, wake_flags(sizeof(*r)));
	count(PROF_CNT_IRQ_EMITTED);
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(on_irq_entry, int irq, struct irqaction *action)
{
	return irq_enter(PROF_IRQ_HARDIRQ, irq, action);
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(on_irq_exit, int irq, struct irqaction *action)
{
	return irq_exit(PROF_IRQ_HARDIRQ, irq);
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(on_softirq_entry, unsigned int vec)
{
	return irq_enter(PROF_IRQ_SOFTIRQ, vec, NULL);
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(on_softirq_exit, unsigned int vec)
{
	return irq_exit(PROF_IRQ_SOFTIRQ, vec);
}

/* The local APIC timer interrupt (x86) has no irq_handler_entry/exit: it is
 * tracked only to tell a wakeup from an hrtimer (a sleep's end, a timeout)
 * from one by the thread the interrupt landed on. No row is written: at
 * high sampling rates every sample is one of these interrupts. */
SEC("tp_btf/local_timer_entry")
int BPF_PROG(on_local_timer_entry, int vector)
{
	__u32 slot = LOCAL_TIMER_SLOT;
	struct irq_entry *e = bpf_map_lookup_elem(&irq_entries, &slot);
	if (e)
		e->ts = 1;
	return 0;
}

SEC("tp_btf/local_timer_exit")
int BPF_PROG(on_local_timer_exit, int vector)
{
	__u32 slot = LOCAL_TIMER_SLOT;
	struct irq_entry *e = bpf_map_lookup_elem(&irq_entries, &slot);
	if (e)
		e->ts = 0;
	return 0;
}

/* nmi_handler reports each NMI handler's own duration when it returns. It
 * runs in NMI context: it writes `nmi_events`, which nothing else writes. */
SEC("tp_btf/nmi_handler")
int BPF_PROG(on_nmi, void *handler, s64 delta_ns, int handled)
{
	struct prof_irq *r = bpf_ringbuf_reserve(&nmi_events, sizeof(*r), 0);
	if (!r) {
		count(PROF_CNT_NMI_LOST);
		return 0;
	}
	__u64 now = bpf_ktime_get_ns();
	r->kind = PROF_REC_IRQ;
	r->cpu = bpf_get_smp_processor_id();
	r->ts_begin = now - delta_ns;
	r->ts_end = now;
	r->irq_kind = PROF_IRQ_NMI;
	r->number = 0;
	r->interrupted_tid = (__u32)bpf_get_current_pid_tgid();
	r->reserved = 0;
	r->handler = (__u64)handler;
	r->name[0] = 0;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	count(PROF_CNT_NMI_EMITTED);
	return 0;
}

/*
 * Process lifecycle: fork, exec, exit. Exec forces a wakeup so the recorder
 * reads the new image's mappings from /proc while the process most likely
 * still runs (short-lived processes then still symbolize).
 */
static __always_inline int proc_event(__u32 what, struct task_struct *t, __u32 ppid, __u32 group_dead,
				      struct linux_binprm *bprm)
{
	__u32 pid = BPF_CORE_READ(t, tgid);
	if (is_self(pid) || (!wanted(pid) && !wanted(ppid)))
		return 0;
	struct prof_proc *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(PROF_CNT_SWITCH_LOST); /* counted with the scheduler events */
		return 0;
	}
	r->kind = PROF_REC_PROC;
	r->what = what;
	r->ts = bpf_ktime_get_ns();
	r->pid = pid;
	r->tid = BPF_CORE_READ(t, pid);
	r->ppid = ppid;
	r->group_dead = group_dead;
	__builtin_memcpy(r->comm, t->comm, sizeof(r->comm));
	r->start_code = 0;
	r->end_code = 0;
	r->filename[0] = 0;
	if (bprm) {
		r->start_code = BPF_CORE_READ(t, mm, start_code);
		r->end_code = BPF_CORE_READ(t, mm, end_code);
		bpf_probe_read_kernel_str(r->filename, sizeof(r->filename), BPF_CORE_READ(bprm, filename));
	}
	bpf_ringbuf_submit(r, bprm ? BPF_RB_FORCE_WAKEUP : wake_flags(sizeof(*r)));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	return proc_event(PROF_PROC_FORK, child, BPF_CORE_READ(parent, tgid), 0, NULL);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_proc_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return proc_event(PROF_PROC_EXEC, p, BPF_CORE_READ(p, real_parent, tgid), 0, bprm);
}

/* Only the task argument: older kernels have no group_dead argument; the
 * signal struct's live count says it on every kernel. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_proc_exit, struct task_struct *p)
{
	__u32 dead = BPF_CORE_READ(p, signal, live.counter) == 0;
	return proc_event(PROF_PROC_EXIT, p, BPF_CORE_READ(p, real_parent, tgid), dead, NULL);
}
