/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The records that cross from BPF to user space, and nothing else.
 * Included by the BPF programs (bpf/NAME.bpf.c, with vmlinux.h) and by the
 * native shim (native/shim.c, with <linux/types.h>). The Java side mirrors
 * this file in exactly one class: recorder/.../bpf/BpfRecords.java.
 * Change both together, and bump PROF_ABI_VERSION when a layout changes.
 */
#ifndef PROFILER_H
#define PROFILER_H

#define PROF_ABI_VERSION 1

/* Deepest stack captured per side (kernel, user); the kernel's default
 * perf_event_max_stack is 127 too. */
#define PROF_MAX_FRAMES 127

/* First field of every record: what follows. */
enum prof_record_kind {
	PROF_REC_SAMPLE = 1,
};

/* Per-CPU counters the BPF side keeps (index into the counters map). Failed
 * outputs are counted here, in BPF, because a full buffer is the only
 * truthful place to see a loss. */
enum prof_counter {
	PROF_CNT_SAMPLES_EMITTED = 0,
	PROF_CNT_SAMPLES_LOST = 1, /* ring buffer full: sample dropped */
	PROF_CNT_MAX = 2,
};

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

#endif /* PROFILER_H */
