// SPDX-License-Identifier: GPL-2.0
/*
 * Libraries loaded by recorded processes (--call-graph dwarf): a record each
 * time a process's dynamic loader changes its list of loaded objects (its
 * libraries at start, dlopen, dlclose), so the recorder reads its mappings
 * and hands the stack walker the new files' unwind tables before their
 * code's first samples, not at its next poll.
 *
 * A uprobe on ld.so's _dl_debug_state: the function the loader calls for
 * debuggers (the r_debug protocol) before and after every change, the
 * second time with the new objects mapped. Why not a hook on mmap: fentry
 * and kprobes need ftrace, which these VMs refuse, and the mmap syscall
 * tracepoints would put every system call of the machine on the slow path
 * (the syscall tracepoints enable for all tasks at once). A uprobe costs a
 * trap at each call, a few per library loaded. Statically linked programs
 * have no loader to probe: their code is mapped at exec.
 *
 * Process context only, never NMI; its ring is its own all the same ("One
 * ring buffer per writer"), and each record wakes the consumer at once:
 * they are rare and wanted now.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "profiler.h"
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* resized by user space */
} library_events SEC(".maps");

/* The x86-64 psABI's loader path (every dynamically linked program's
 * PT_INTERP); the probe lands on the file it links to, for every process
 * that maps it. */
SEC("uprobe//lib64/ld-linux-x86-64.so.2:_dl_debug_state")
int on_libraries_changed(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (is_self(tgid) || !wanted(tgid))
		return 0;
	struct prof_proc *r = bpf_ringbuf_reserve(&library_events, sizeof(*r), 0);
	if (!r) {
		count(PROF_CNT_LIBS_LOST);
		return 0;
	}
	r->kind = PROF_REC_PROC;
	r->what = PROF_PROC_LIBS;
	r->ts = bpf_ktime_get_ns();
	r->pid = tgid;
	r->tid = (__u32)id;
	r->ppid = 0;
	r->group_dead = 0;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	r->start_code = 0;
	r->end_code = 0;
	r->filename[0] = 0;
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
	count(PROF_CNT_LIBS_EMITTED);
	return 0;
}
