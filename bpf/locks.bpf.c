// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel lock contention (--locks): lock:contention_begin / contention_end,
 * paired per task and lock, one record per wait into `lock_events`.
 *
 * Transport: `lock_events` is written by on_contention_end only. Contention
 * tracepoints fire inside lock slow paths, which can run in NMI context (a
 * sampling NMI contending on its own ring buffer's lock), so this program
 * may interrupt any other program on its CPU: sharing a ring buffer with
 * the scheduler programs or the sampler would recreate the 6.15-6.18 freeze
 * (docs/design.md). It cannot interrupt itself (the kernel does not re-enter
 * a program on the CPU it is running on). on_contention_begin writes only
 * the `waits` hash, whose bucket locks detect same-CPU re-entry and fail
 * instead of spinning.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "profiler.h"
#include "common.bpf.h"
#include "wakeup.h"

char LICENSE[] SEC("license") = "GPL";


struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* resized by user space */
} lock_events SEC(".maps");

/* A wait in progress. The idle task is tid 0 on every CPU, so its waits are
 * told apart by CPU. */
struct wait_key {
	__u64 lock;
	__u32 tid;
	__u32 cpu; /* for tid 0 only */
};

struct wait {
	__u64 ts;
	__u32 flags;
	__u32 cpu;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct wait_key);
	__type(value, struct wait);
} waits SEC(".maps");

struct lock_scratch {
	struct prof_lock hdr;
	__u64 ips[PROF_MAX_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_scratch);
} lock_scratch SEC(".maps");

static __always_inline struct wait_key key_of(void *lock, __u32 tid)
{
	struct wait_key k = { .lock = (__u64)lock, .tid = tid, .cpu = tid ? 0 : bpf_get_smp_processor_id() };
	return k;
}

SEC("tp_btf/contention_begin")
int BPF_PROG(on_contention_begin, void *lock, unsigned int flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (is_self(id >> 32) || !wanted(id >> 32))
		return 0;
	struct wait_key k = key_of(lock, (__u32)id);
	struct wait w = { .ts = bpf_ktime_get_ns(), .flags = flags, .cpu = bpf_get_smp_processor_id() };
	if (bpf_map_lookup_elem(&waits, &k))
		count(PROF_CNT_LOCK_UNPAIRED_BEGIN); /* the earlier begin never ended */
	if (bpf_map_update_elem(&waits, &k, &w, BPF_ANY))
		count(PROF_CNT_LOCK_LOST);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(on_contention_end, void *lock, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (is_self(id >> 32) || !wanted(id >> 32))
		return 0;
	struct wait_key k = key_of(lock, (__u32)id);
	struct wait *w = bpf_map_lookup_elem(&waits, &k);
	if (!w) {
		count(PROF_CNT_LOCK_UNPAIRED_END);
		return 0;
	}
	__u64 begin = w->ts;
	__u32 flags = w->flags, cpu = w->cpu;
	bpf_map_delete_elem(&waits, &k);

	__u32 zero = 0;
	struct lock_scratch *s = bpf_map_lookup_elem(&lock_scratch, &zero);
	if (!s)
		return 0;
	struct prof_lock *r = &s->hdr;
	r->kind = PROF_REC_LOCK;
	r->cpu = cpu;
	r->ts_begin = begin;
	r->ts_end = bpf_ktime_get_ns();
	r->tid = (__u32)id;
	r->pid = id >> 32;
	r->lock_addr = (__u64)lock;
	r->flags = flags;
	r->ret = ret;
	r->reserved = 0;
	r->reserved2 = 0;
	long kb = bpf_get_stack(ctx, s->ips, PROF_MAX_FRAMES * 8, 0);
	__u32 kn = kb > 0 ? ((__u32)kb / 8) & 127 : 0;
	r->kstack_len = kn;
	__u64 size = sizeof(*r) + (__u64)kn * 8;
	if (size > sizeof(*s))
		size = sizeof(*s);
	__u64 wake = wake_flags_for(bpf_ringbuf_query(&lock_events, BPF_RB_AVAIL_DATA) + ring_bytes(size), size, wakeup_bytes);
	if (bpf_ringbuf_output(&lock_events, s, size, wake) == 0)
		count(PROF_CNT_LOCK_EMITTED);
	else
		count(PROF_CNT_LOCK_LOST);
	return 0;
}
