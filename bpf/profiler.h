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

#define PROF_ABI_VERSION 2

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

/*
 * What the shim (native/sample_batch.c) hands to Java after each poll, so
 * that Java does no work per sample: the samples as columns, plus these two
 * record lists, each only as long as what is new or active in the batch.
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
	__u32 reserved;
	__u64 ips[];
};

/* A thread that had samples in the batch: one per (tid, pid) per batch. */
struct prof_thread_seen {
	__u32 tid;
	__u32 pid;
	__u64 first_ts;    /* its first sample in the batch */
	__u64 last_ts;     /* its last sample in the batch */
	char comm[16];     /* name at its last sample */
};

/* Sample columns, in samples-table order; each an array of `samples`
 * little-endian values. */
enum prof_sample_column {
	PROF_COL_TS = 0,       /* __u64 */
	PROF_COL_CPU = 1,      /* __u32 */
	PROF_COL_PID = 2,      /* __u32 */
	PROF_COL_TID = 3,      /* __u32 */
	PROF_COL_STACK_ID = 4, /* __s64: the raw id until Java commits the batch, then its stack_id */
	PROF_COL_WEIGHT = 5,   /* __s64: filled by the commit */
	PROF_COL_COUNT = 6,
};

#endif /* PROFILER_H */
