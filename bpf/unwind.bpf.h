/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-stack walker of --call-graph dwarf: unwinds code without frame
 * pointers (Debian's libc, gcc -O2 programs) from tables Java built from
 * each mapped file's .eh_frame (bpf/profiler.h, "Unwind tables"), and takes
 * one frame-pointer step wherever no table row holds the pc (JIT code, a
 * file with no table yet), so -XX:+PreserveFramePointer JVMs keep working.
 *
 * One frame per bpf_loop callback: per frame a binary search of the
 * process's mappings (at most 8 steps) and of its page's rows (at most 17),
 * and one or two reads of the user stack. Nothing here writes a ring
 * buffer; the caller copies unwind_out into its own record. Include after
 * vmlinux.h, bpf_helpers.h and profiler.h.
 */
#ifndef UNWIND_BPF_H
#define UNWIND_BPF_H

/* Set by user space before load: 1 walks user stacks with the tables. */
const volatile __u32 unwind_with_tables = 0;

struct unwind_row_chunk {
	struct prof_unwind_row rows[PROF_UNWIND_ROWS_PER_CHUNK];
};

/* Sized by the shim (the tables' memory cap) and written by it through
 * mmap; one per object would waste memory, so other objects reuse the
 * sampler's (bpf_map__reuse_fd). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_row_chunk);
} unwind_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prof_unwind_page);
} unwind_pages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct prof_unwind_rule);
} unwind_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prof_unwind_process);
} unwind_processes SEC(".maps");

/* The walk's output. Per object: a sampling interrupt can land in the
 * middle of another object's walk on the same CPU. */
struct user_walk_out {
	__u64 ips[PROF_MAX_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct user_walk_out);
} unwind_out SEC(".maps");

struct user_walk {
	__u64 pc, sp, bp;
	__u32 pid;
	__u32 n;      /* frames written */
	__u32 flags;  /* PROF_SAMPLE_F_UNWIND_* */
	__u32 pad;
};

/* Binary searches run as bpf_loop callbacks: unrolled loops with a branch
 * per step multiply the verifier's states (the sampler went past its
 * million-instruction limit). Each finds the first element above `key`. */
struct mapping_search {
	const struct prof_unwind_process *proc;
	__u64 key;
	__u32 lo, hi;
};

static long mapping_search_step(__u64 index, struct mapping_search *s)
{
	if (s->lo >= s->hi)
		return 1;
	__u32 mid = (s->lo + s->hi) / 2;
	if (mid >= PROF_UNWIND_MAX_MAPPINGS)
		return 1;
	if (s->proc->mappings[mid].start <= s->key)
		s->lo = mid + 1;
	else
		s->hi = mid;
	return 0;
}

/* The mapping that holds pc: the last one starting at or below it. */
static __always_inline const struct prof_unwind_mapping *unwind_find_mapping(const struct prof_unwind_process *p,
									  __u64 pc)
{
	struct mapping_search s = { .proc = p, .key = pc, .lo = 0, .hi = p->count };
	if (s.hi > PROF_UNWIND_MAX_MAPPINGS)
		s.hi = PROF_UNWIND_MAX_MAPPINGS;
	bpf_loop(8, mapping_search_step, &s, 0); /* 2^8 > PROF_UNWIND_MAX_MAPPINGS */
	__u32 lo = s.lo;
	if (lo == 0 || lo > PROF_UNWIND_MAX_MAPPINGS)
		return NULL;
	const struct prof_unwind_mapping *m = &p->mappings[lo - 1];
	return pc < m->end ? m : NULL;
}

static __always_inline const struct prof_unwind_row *unwind_row_at(__u32 index)
{
	__u32 chunk = index / PROF_UNWIND_ROWS_PER_CHUNK;
	struct unwind_row_chunk *c = bpf_map_lookup_elem(&unwind_rows, &chunk);
	return c ? &c->rows[index % PROF_UNWIND_ROWS_PER_CHUNK] : NULL;
}

struct row_search {
	__u32 lo, hi;
	__u16 key;
	__u16 failed;
};

static long row_search_step(__u64 index, struct row_search *s)
{
	if (s->lo >= s->hi)
		return 1;
	__u32 mid = s->lo + (s->hi - s->lo) / 2;
	const struct prof_unwind_row *r = unwind_row_at(mid);
	if (!r) {
		s->failed = 1;
		return 1;
	}
	if (r->pc_low <= s->key)
		s->lo = mid + 1;
	else
		s->hi = mid;
	return 0;
}

/* The rule index for pc in mapping m: the last row of its page at or below
 * it (a page's first row is at its start); PROF_UNWIND_RULE_NONE if none. */
static __always_inline __u32 unwind_find_rule(const struct prof_unwind_mapping *m, __u64 pc)
{
	__u64 vaddr = pc - m->bias;
	__u64 page = vaddr >> PROF_UNWIND_PAGE_SHIFT;
	if (page < m->first_page || page - m->first_page >= m->page_count)
		return PROF_UNWIND_RULE_NONE;
	__u32 page_index = m->page_base + (__u32)(page - m->first_page);
	struct prof_unwind_page *pg = bpf_map_lookup_elem(&unwind_pages, &page_index);
	if (!pg || !pg->count)
		return PROF_UNWIND_RULE_NONE;
	struct row_search s = { .lo = pg->first, .hi = pg->first + pg->count, .key = vaddr & 0xffff };
	__u32 first = s.lo;
	bpf_loop(17, row_search_step, &s, 0); /* at most 65536 rows in a page */
	if (s.failed || s.lo == first)
		return PROF_UNWIND_RULE_NONE;
	const struct prof_unwind_row *r = unwind_row_at(s.lo - 1);
	return r ? r->rule : PROF_UNWIND_RULE_NONE;
}

/* One frame: records pc, then finds the caller's pc, sp and rbp. Returns
 * 1 to stop the loop. */
static long unwind_frame(__u64 index, struct user_walk *st)
{
	__u32 zero = 0, n = st->n;
	struct user_walk_out *out = bpf_map_lookup_elem(&unwind_out, &zero);
	if (!out) {
		st->flags |= PROF_SAMPLE_F_UNWIND_ERROR;
		return 1;
	}
	if (n >= PROF_MAX_FRAMES) {
		st->flags |= PROF_SAMPLE_F_UNWIND_LIMIT;
		return 1;
	}
	out->ips[n] = st->pc;
	st->n = n + 1;

	/* a caller's pc is a return address: the call is the byte before it */
	__u64 at = n == 0 ? st->pc : st->pc - 1;
	__u32 rule_index = PROF_UNWIND_RULE_NONE;
	bool in_table_file = false; /* the pc is in a file that has a table */
	struct prof_unwind_process *proc = bpf_map_lookup_elem(&unwind_processes, &st->pid);
	if (proc) {
		const struct prof_unwind_mapping *m = unwind_find_mapping(proc, at);
		if (m) {
			in_table_file = true;
			rule_index = unwind_find_rule(m, at);
		}
	}
	struct prof_unwind_rule *rule = bpf_map_lookup_elem(&unwind_rules, &rule_index);
	__u8 cfa_kind = rule ? rule->cfa : PROF_CFA_NONE;

	__u64 cfa, ra = 0, bp = st->bp;
	switch (cfa_kind) {
	case PROF_CFA_END:
		st->flags |= PROF_SAMPLE_F_UNWIND_END;
		return 1;
	case PROF_CFA_RSP:
		cfa = st->sp + rule->cfa_off;
		break;
	case PROF_CFA_RBP:
		cfa = st->bp + rule->cfa_off;
		break;
	case PROF_CFA_PLT:
		cfa = st->sp + 8 + ((st->pc & 15) >= (__u64)rule->cfa_off ? 8 : 0);
		break;
	default:
		/* no row: one frame-pointer step; rbp 0 marks the outermost frame.
		 * In a file with a table (ld.so's _start has no FDE) the walk is
		 * then complete; elsewhere rbp may be a register that holds 0. */
		if (bp == 0) {
			st->flags |= PROF_SAMPLE_F_UNWIND_END | (in_table_file ? 0 : PROF_SAMPLE_F_UNWIND_FP_STEP);
			return 1;
		}
		if ((bp & 7) || bp < st->sp || bpf_probe_read_user(&ra, sizeof(ra), (void *)(bp + 8)) ||
		    bpf_probe_read_user(&bp, sizeof(bp), (void *)bp)) {
			st->flags |= PROF_SAMPLE_F_UNWIND_ERROR | PROF_SAMPLE_F_UNWIND_FP_STEP;
			return 1;
		}
		st->flags |= PROF_SAMPLE_F_UNWIND_FP_STEP;
		cfa = st->bp + 16;
		goto caller;
	}
	if (bpf_probe_read_user(&ra, sizeof(ra), (void *)(cfa - 8))) {
		st->flags |= PROF_SAMPLE_F_UNWIND_ERROR;
		return 1;
	}
	if (rule->rbp == PROF_RBP_AT_CFA && bpf_probe_read_user(&bp, sizeof(bp), (void *)(cfa + rule->rbp_off))) {
		st->flags |= PROF_SAMPLE_F_UNWIND_ERROR;
		return 1;
	}
caller:
	if (ra == 0) { /* nothing called this frame */
		st->flags |= PROF_SAMPLE_F_UNWIND_END;
		return 1;
	}
	if (cfa <= st->sp) { /* the stack grows down: a caller's frame is above; anything else would loop */
		st->flags |= PROF_SAMPLE_F_UNWIND_ERROR;
		return 1;
	}
	st->pc = ra;
	st->sp = cfa;
	st->bp = bp;
	return 0;
}

/* Unwinds the user stack whose registers are pc, sp, bp into unwind_out;
 * returns the frame count and ORs PROF_SAMPLE_F_UNWIND_* into *flags. */
static __always_inline __u32 unwind_user(__u32 pid, __u64 pc, __u64 sp, __u64 bp, __u32 *flags)
{
	struct user_walk st = { .pc = pc, .sp = sp, .bp = bp, .pid = pid };
	bpf_loop(PROF_MAX_FRAMES + 1, unwind_frame, &st, 0);
	*flags |= PROF_SAMPLE_F_UNWIND_TABLES | st.flags;
	return st.n > PROF_MAX_FRAMES ? PROF_MAX_FRAMES : st.n;
}

/* The current task's user registers: the sampled ones when the sample hit
 * user mode, else those saved at its entry into the kernel. False for a
 * kernel thread. */
static __always_inline bool current_user_regs(struct pt_regs *sampled, __u64 *pc, __u64 *sp, __u64 *bp)
{
	/* a perf_event context is read 8 bytes at a time: cs with its padding */
	if (sampled && (*(__u64 *)((char *)sampled + __builtin_offsetof(struct pt_regs, cs)) & 3) == 3) {
		*pc = sampled->ip;
		*sp = sampled->sp;
		*bp = sampled->bp;
		return true;
	}
	struct task_struct *task = bpf_get_current_task_btf();
	if (!task->mm)
		return false;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	*pc = BPF_CORE_READ(regs, ip);
	*sp = BPF_CORE_READ(regs, sp);
	*bp = BPF_CORE_READ(regs, bp);
	return true;
}

/* Walks the current task's user stack with the tables into ips[kn...]
 * (room for PROF_MAX_FRAMES there); returns the frame count, 0 for a
 * kernel thread. sampled: a perf_event's registers, or NULL where the
 * task entered the kernel by a system call or fault (a tracepoint). */
static __always_inline __u32 unwind_current(struct pt_regs *sampled, __u32 pid, __u64 *ips, __u32 kn, __u32 *flags)
{
	__u64 pc, sp, bp;
	__u32 zero = 0;
	if (!current_user_regs(sampled, &pc, &sp, &bp))
		return 0;
	__u32 un = unwind_user(pid, pc, sp, bp, flags) & 127;
	struct user_walk_out *out = bpf_map_lookup_elem(&unwind_out, &zero);
	if (!out || bpf_probe_read_kernel(&ips[kn & 127], un * 8, out->ips))
		return 0;
	return un;
}

#endif /* UNWIND_BPF_H */
