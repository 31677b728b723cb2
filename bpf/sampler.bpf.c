// SPDX-License-Identifier: GPL-2.0
/*
 * CPU sampler: runs on every perf_event tick (software cpu-clock or hardware
 * cycles), captures kernel and user stacks and hands one record to user
 * space. User stacks: walked with the unwind tables (unwind.bpf.h,
 * --call-graph dwarf) or by the kernel's frame-pointer walk (fp).
 *
 * Transport rule (docs/design.md, "One ring buffer per writer"): `samples` is
 * a BPF ring buffer written by THIS program only. On kernels 6.15-6.18 a
 * sampling NMI that lands while a sched_switch program on the same CPU holds
 * a shared ring buffer's lock froze machines for 250 ms (rqspinlock bug).
 * Never let another program write to `samples`; tests check it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "profiler.h"
#include "common.bpf.h"
#include "wakeup.h"
#include "unwind.bpf.h"

char LICENSE[] SEC("license") = "GPL";


struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024); /* resized by user space */
} samples SEC(".maps");

/* Room for the header and both stacks; too big for the 512-byte BPF stack. */
struct sample_scratch {
	struct prof_sample hdr;
	__u64 ips[2 * PROF_MAX_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sample_scratch);
} scratch SEC(".maps");

/* With -p or -- CMD, follow new processes of the targets (children of CMD).
 * Writes only the target_tgids map, never a ring buffer. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!filter_by_tgid)
		return 0;
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;
	if (ptgid != ctgid && bpf_map_lookup_elem(&target_tgids, &ptgid))
		bpf_map_update_elem(&target_tgids, &ctgid, &one, BPF_ANY);
	return 0;
}

SEC("perf_event")
int on_cpu_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	__u32 zero = 0;

	if (is_self(tgid) || !wanted(tgid))
		return 0;

	struct sample_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;

	s->hdr.kind = PROF_REC_SAMPLE;
	s->hdr.cpu = bpf_get_smp_processor_id();
	s->hdr.ts = bpf_ktime_get_ns();
	s->hdr.pid = tgid;
	s->hdr.tid = tid;
	s->hdr.flags = 0;
	bpf_get_current_comm(s->hdr.comm, sizeof(s->hdr.comm));

	long kbytes = bpf_get_stack(ctx, s->ips, PROF_MAX_FRAMES * 8, 0);
	if (kbytes < 0) {
		s->hdr.flags |= PROF_SAMPLE_F_KSTACK_ERR;
		kbytes = 0;
	}
	__u32 kn = ((__u32)kbytes / 8) & 127; /* bounded for the verifier */
	__u32 un = 0;
	if (tgid != 0 && unwind_with_tables) {
		un = unwind_current(&ctx->regs, tgid, s->ips, kn, &s->hdr.flags);
		if (s->hdr.flags & PROF_SAMPLE_F_UNWIND_TABLES)
			count(PROF_CNT_UNWIND_COMPLETE + prof_unwind_outcome(s->hdr.flags));
	} else if (tgid != 0) {
		long ubytes = bpf_get_stack(ctx, &s->ips[kn], PROF_MAX_FRAMES * 8,
					    BPF_F_USER_STACK);
		if (ubytes < 0) {
			s->hdr.flags |= PROF_SAMPLE_F_USTACK_ERR;
			ubytes = 0;
		}
		un = ((__u32)ubytes / 8) & 127;
	}
	s->hdr.kstack_len = kn;
	s->hdr.ustack_len = un;

	__u64 size = sizeof(s->hdr) + (__u64)(kn + un) * 8;
	if (size > sizeof(*s))
		size = sizeof(*s);
	__u64 flags = wake_flags_for(bpf_ringbuf_query(&samples, BPF_RB_AVAIL_DATA) + ring_bytes(size), size, wakeup_bytes);
	if (bpf_ringbuf_output(&samples, s, size, flags) == 0)
		count(PROF_CNT_SAMPLES_EMITTED);
	else
		count(PROF_CNT_SAMPLES_LOST);
	return 0;
}
