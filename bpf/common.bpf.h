/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every BPF object of the recorder shares: the settings the shim sets
 * before load, the target filter and the counters (the shim makes every
 * object reuse the sampler object's maps, so all sources filter and count
 * the same way), and the helpers over them. Include after vmlinux.h,
 * bpf_helpers.h and profiler.h.
 */
#ifndef COMMON_BPF_H
#define COMMON_BPF_H

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;       /* the recorder itself: never recorded */
const volatile __u32 filter_by_tgid = 0;  /* 1: only tgids in target_tgids (-p, -- CMD) */
const volatile __u64 wakeup_bytes = 1024 * 1024; /* see wakeup.h; set per ring by the shim */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} target_tgids SEC(".maps");

/* Per-CPU counters (enum prof_counter): failed outputs are counted here, in
 * BPF, where a loss happens. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROF_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);
	if (c)
		*c += 1;
}

static __always_inline bool is_self(__u32 tgid)
{
	return self_tgid && tgid == self_tgid;
}

/* Is this process recorded? Everything, unless -p / -- CMD set a filter. */
static __always_inline bool wanted(__u32 tgid)
{
	return !filter_by_tgid || (tgid && bpf_map_lookup_elem(&target_tgids, &tgid));
}

#endif /* COMMON_BPF_H */
