// SPDX-License-Identifier: GPL-2.0
/*
 * User-space futex waits (--futex): the futex() syscall's entry and exit
 * tracepoints, for the ops that wait (FUTEX_WAIT, WAIT_BITSET, LOCK_PI,
 * LOCK_PI2, WAIT_REQUEUE_PI). One record per wait, at its return, into
 * `futex_events`.
 *
 * Why these tracepoints: fentry/fexit and kprobes need ftrace, which kernels
 * built without a function tracer (these VMs) do not have, and tp_btf
 * sys_enter/sys_exit would run for every syscall of the machine. The
 * syscall tracepoints fire for futex() alone; they need tracefs for their
 * ids, which the shim mounts when a fresh machine has not.
 *
 * Transport: `futex_events` is written by on_futex_exit only. These programs
 * run in process context (a syscall), never in NMI.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "profiler.h"
#include "common.bpf.h"
#include <bpf/bpf_core_read.h>
#include "wakeup.h"
#include "unwind.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define FUTEX_CMD_MASK 0x7f /* ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME) */
#define FUTEX_WAIT 0
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_LOCK_PI2 13


struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* resized by user space */
} futex_events SEC(".maps");

/* The wait in progress, per thread. */
struct wait {
	__u64 ts;
	__u64 uaddr;
	__u32 op;
	__u32 reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct wait);
} entered SEC(".maps");

struct futex_scratch {
	struct prof_futex hdr;
	__u64 ips[PROF_MAX_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct futex_scratch);
} futex_scratch SEC(".maps");

static __always_inline bool is_wait(int op)
{
	int cmd = op & FUTEX_CMD_MASK;
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2 ||
	       cmd == FUTEX_WAIT_REQUEUE_PI;
}

SEC("tracepoint/syscalls/sys_enter_futex")
int on_futex_enter(struct syscall_trace_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	int op = (int)ctx->args[1];
	if (!is_wait(op) || is_self(id >> 32) || !wanted(id >> 32))
		return 0;
	__u32 tid = (__u32)id;
	struct wait w = { .ts = bpf_ktime_get_ns(), .uaddr = ctx->args[0], .op = op };
	if (bpf_map_update_elem(&entered, &tid, &w, BPF_ANY))
		count(PROF_CNT_FUTEX_LOST);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_futex")
int on_futex_exit(struct syscall_trace_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct wait *w = bpf_map_lookup_elem(&entered, &tid);
	if (!w)
		return 0; /* not a wait, entered before recording started, or filtered out */
	__u64 ts_begin = w->ts, uaddr = w->uaddr;
	__u32 op = w->op;
	bpf_map_delete_elem(&entered, &tid);

	__u32 zero = 0;
	struct futex_scratch *s = bpf_map_lookup_elem(&futex_scratch, &zero);
	if (!s)
		return 0;
	struct prof_futex *r = &s->hdr;
	r->kind = PROF_REC_FUTEX;
	r->cpu = bpf_get_smp_processor_id();
	r->ts_begin = ts_begin;
	r->ts_end = bpf_ktime_get_ns();
	r->tid = tid;
	r->pid = id >> 32;
	r->uaddr = uaddr;
	r->op = op;
	r->ret = ctx->ret;
	r->reserved = 0;
	r->reserved2 = 0;
	__u32 un = 0;
	if (unwind_with_tables) {
		__u32 flags = 0; /* the outcome is kept for samples only */
		un = unwind_current(NULL, r->pid, s->ips, 0, &flags);
	} else {
		long ub = bpf_get_stack(ctx, s->ips, PROF_MAX_FRAMES * 8, BPF_F_USER_STACK);
		un = ub > 0 ? ((__u32)ub / 8) & 127 : 0;
	}
	r->ustack_len = un;
	__u64 size = sizeof(*r) + (__u64)un * 8;
	if (size > sizeof(*s))
		size = sizeof(*s);
	__u64 wake = wake_flags_for(bpf_ringbuf_query(&futex_events, BPF_RB_AVAIL_DATA) + ring_bytes(size), size, wakeup_bytes);
	if (bpf_ringbuf_output(&futex_events, s, size, wake) == 0)
		count(PROF_CNT_FUTEX_EMITTED);
	else
		count(PROF_CNT_FUTEX_LOST);
	return 0;
}
