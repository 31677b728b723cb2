// SPDX-License-Identifier: Apache-2.0
/*
 * A thin C shim over libbpf for the Java recorder (loaded through JNA).
 * It loads the BPF skeleton, opens one perf_event per CPU, and drains the
 * ring buffers into one batch per poll (event_batch.c: each table's
 * columns, new stacks, threads seen), so Java makes a few native calls per
 * batch and does no work per event. Symbolization and writing happen in
 * Java.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "profiler.h"
#include "sampler.skel.h"
#include "sched.skel.h"
#include "locks.skel.h"
#include "futex.skel.h"
#include "event_batch.h"
#include "unwind_maps.h"
#include <bpf/btf.h>

#define EVENT_SOURCE_HW_CYCLES 1
#define EVENT_SOURCE_SW_CPU_CLOCK 2

/* What pshim_open loads besides the sampler (bits of `sources`); mirrored
 * by BpfSession.Config. */
#define PSHIM_SRC_SCHED 1         /* context switches and wakeups */
#define PSHIM_SRC_OFFCPU_STACKS 2 /* ... with the stack of each task switched out */
#define PSHIM_SRC_LOCKS 4         /* kernel lock contention */
#define PSHIM_SRC_FUTEX 8         /* user-space futex waits */

#define MAX_OBJECT_LINKS 32

struct pshim {
	struct sampler_bpf *skel;
	struct sched_bpf *sched; /* NULL unless scheduler events were asked for */
	struct locks_bpf *locks; /* NULL unless lock contention was asked for */
	struct futex_bpf *futex; /* NULL unless futex waits were asked for */
	/* links of every program of those objects (attach_object) */
	struct bpf_link *object_links[MAX_OBJECT_LINKS];
	int nobject_links;
	struct ring_buffer *rb_samples; /* the sampler's ring */
	struct ring_buffer *rb_events;  /* every other ring (scheduler, NMI, locks, futex) */
	int epfd;                       /* waits on both, and on wakefd */
	int wakefd;                     /* eventfd: pshim_wake ends a wait early (a stop, a command's exit) */
	int ncpus;
	int *perf_fds;
	struct bpf_link **links;
	struct bpf_link *fork_link; /* follows children of -p / -- CMD targets */
	int event_source;
	/* what the last poll drained, handed to Java */
	struct event_batch *batch;
	struct unwind_maps *unwind; /* NULL unless user stacks are walked with tables */
	struct unwind_map_set sampler_unwind; /* the sampler object's unwind maps, which the others share */
};

/* libbpf's last complaint, so a failure can be reported in one line. */
static __thread char last_libbpf_msg[512];
static int verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	va_list copy;
	va_copy(copy, ap);
	vsnprintf(last_libbpf_msg, sizeof(last_libbpf_msg), fmt, copy);
	va_end(copy);
	size_t n = strlen(last_libbpf_msg);
	while (n && last_libbpf_msg[n - 1] == '\n')
		last_libbpf_msg[--n] = 0;
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static void set_err(char *err, int errlen, const char *fmt, ...)
{
	if (!err || errlen <= 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

uint64_t pshim_clock_ns(int realtime)
{
	struct timespec ts;
	clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int pshim_abi_version(void) { return PROF_ABI_VERSION; }

int pshim_possible_cpus(void) { return libbpf_num_possible_cpus(); }

static unsigned long round_up_pow2(unsigned long v)
{
	unsigned long p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static void load_error(char *err, int errlen, int rc, const char *what)
{
	int e = -rc;
	if (e == EPERM || e == EACCES)
		set_err(err, errlen, "loading the %s BPF programs was refused (%s): needs CAP_BPF and CAP_PERFMON, or root;"
			" with them, the kernel's verifier rejected the programs (--verbose prints its log)", what, strerror(e));
	else
		set_err(err, errlen, "cannot load the %s BPF programs: %s (%s)", what, strerror(e), last_libbpf_msg);
}

/* One filter and one set of counters for every source: an object other
 * than the sampler uses the sampler object's maps. */
static int reuse_shared_maps(struct pshim *h, struct bpf_map *target_tgids, struct bpf_map *counters)
{
	int rc = bpf_map__reuse_fd(target_tgids, bpf_map__fd(h->skel->maps.target_tgids));
	return rc ? rc : bpf_map__reuse_fd(counters, bpf_map__fd(h->skel->maps.counters));
}

/* Arguments of tp_btf/sched_switch on this kernel, from its BTF: the
 * typedef btf_trace_sched_switch is a pointer to a function whose first
 * parameter is the tracepoint's data pointer. -1 if BTF says nothing. */
static int sched_switch_args(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	if (!btf)
		return -1;
	int n = -1;
	int id = btf__find_by_name_kind(btf, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (t)
		t = btf__type_by_id(btf, t->type);
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type);
	if (t && btf_is_func_proto(t))
		n = btf_vlen(t) - 1;
	btf__free(btf);
	return n;
}

/* What pshim_open was asked for, that every extra object is set up with. */
struct settings {
	uint32_t self_tgid;
	int filter_by_tgid;
	unsigned long ring_bytes;   /* of the object's own ring buffer */
	unsigned long wakeup_bytes; /* 0: a quarter of the ring (bpf/wakeup.h) */
	unsigned long unwind_rows;  /* 0: user stacks by frame pointers */
};

/* Sets what every object shares (bpf/common.bpf.h), the size of its ring
 * buffer, and makes it use the sampler object's filter and counters. */
static int prepare_object(struct pshim *h, const struct settings *s, __u32 *self_tgid, __u32 *filter_by_tgid,
			  __u64 *wakeup_bytes, struct bpf_map *ring, struct bpf_map *target_tgids,
			  struct bpf_map *counters)
{
	*self_tgid = s->self_tgid;
	*filter_by_tgid = s->filter_by_tgid ? 1 : 0;
	*wakeup_bytes = s->wakeup_bytes ? s->wakeup_bytes : round_up_pow2(s->ring_bytes) / 4;
	bpf_map__set_max_entries(ring, round_up_pow2(s->ring_bytes));
	return reuse_shared_maps(h, target_tgids, counters);
}

static int open_sched(struct pshim *h, const struct settings *set, int offcpu_stacks, char *err, int errlen)
{
	h->sched = sched_bpf__open();
	if (!h->sched) {
		set_err(err, errlen, "cannot open the scheduler BPF object: %s", strerror(errno));
		return -errno;
	}
	h->sched->rodata->switch_has_prev_state = sched_switch_args() >= 4;
	h->sched->rodata->offcpu_stacks = offcpu_stacks ? 1 : 0;
	/* nmi_events keeps its declared size: NMIs are rare */
	int rc = prepare_object(h, set, &h->sched->rodata->self_tgid, &h->sched->rodata->filter_by_tgid,
				&h->sched->rodata->wakeup_bytes, h->sched->maps.events, h->sched->maps.target_tgids,
				h->sched->maps.counters);
	if (!rc && set->unwind_rows) {
		h->sched->rodata->unwind_with_tables = 1;
		struct unwind_map_set mine = { h->sched->maps.unwind_rows, h->sched->maps.unwind_pages,
					       h->sched->maps.unwind_rules, h->sched->maps.unwind_processes };
		rc = unwind_maps_share(&mine, &h->sampler_unwind, set->unwind_rows);
	}
	if (!rc)
		rc = sched_bpf__load(h->sched);
	if (rc) {
		load_error(err, errlen, rc, "scheduler");
		return rc;
	}
	return 0;
}

static int open_locks(struct pshim *h, const struct settings *set, char *err, int errlen)
{
	h->locks = locks_bpf__open();
	if (!h->locks) {
		set_err(err, errlen, "cannot open the lock BPF object: %s", strerror(errno));
		return -errno;
	}
	int rc = prepare_object(h, set, &h->locks->rodata->self_tgid, &h->locks->rodata->filter_by_tgid,
				&h->locks->rodata->wakeup_bytes, h->locks->maps.lock_events, h->locks->maps.target_tgids,
				h->locks->maps.counters);
	if (!rc)
		rc = locks_bpf__load(h->locks);
	if (rc) {
		load_error(err, errlen, rc, "lock contention");
		return rc;
	}
	return 0;
}

/* The syscall tracepoints are found by id in tracefs; a fresh machine may
 * not have it mounted. */
static int ensure_tracefs(char *err, int errlen)
{
	if (!access("/sys/kernel/tracing/events/syscalls", F_OK) ||
	    !access("/sys/kernel/debug/tracing/events/syscalls", F_OK))
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) && errno != EBUSY) {
		set_err(err, errlen, "--futex needs tracefs, and mounting it on /sys/kernel/tracing failed: %s",
			strerror(errno));
		return -errno;
	}
	if (access("/sys/kernel/tracing/events/syscalls", F_OK)) {
		set_err(err, errlen, "--futex needs the syscall tracepoints, and this kernel has none "
			"(CONFIG_FTRACE_SYSCALLS)");
		return -ENOENT;
	}
	return 0;
}

static int open_futex(struct pshim *h, const struct settings *set, char *err, int errlen)
{
	int trc = ensure_tracefs(err, errlen);
	if (trc)
		return trc;
	h->futex = futex_bpf__open();
	if (!h->futex) {
		set_err(err, errlen, "cannot open the futex BPF object: %s", strerror(errno));
		return -errno;
	}
	int rc = prepare_object(h, set, &h->futex->rodata->self_tgid, &h->futex->rodata->filter_by_tgid,
				&h->futex->rodata->wakeup_bytes, h->futex->maps.futex_events, h->futex->maps.target_tgids,
				h->futex->maps.counters);
	if (!rc && set->unwind_rows) {
		h->futex->rodata->unwind_with_tables = 1;
		struct unwind_map_set mine = { h->futex->maps.unwind_rows, h->futex->maps.unwind_pages,
					       h->futex->maps.unwind_rules, h->futex->maps.unwind_processes };
		rc = unwind_maps_share(&mine, &h->sampler_unwind, set->unwind_rows);
	}
	if (!rc)
		rc = futex_bpf__load(h->futex);
	if (rc) {
		load_error(err, errlen, rc, "futex");
		return rc;
	}
	return 0;
}

/* Opens and loads the BPF objects: the sampler, and what `sources`
 * (PSHIM_SRC_*) asks for. Ring sizes are rounded up to powers of two.
 * unwind_rows > 0: user stacks are walked with unwind tables of up to that
 * many rows (--call-graph dwarf); 0: by frame pointers. Returns NULL with a
 * one-line reason in err. */
struct pshim *pshim_open(uint32_t self_tgid, int filter_by_tgid, unsigned long sample_ring_bytes,
			 unsigned long event_ring_bytes, unsigned long wakeup_bytes, int sources,
			 unsigned long unwind_rows, int verbose_libbpf, char *err, int errlen)
{
	verbose = verbose_libbpf;
	libbpf_set_print(libbpf_print);

	struct pshim *h = calloc(1, sizeof(*h));
	if (!h) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	h->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->wakefd < 0) {
		set_err(err, errlen, "cannot create an eventfd: %s", strerror(errno));
		free(h);
		return NULL;
	}
	h->ncpus = libbpf_num_possible_cpus();
	h->skel = sampler_bpf__open();
	if (!h->skel) {
		set_err(err, errlen, "cannot open BPF object: %s", strerror(errno));
		goto fail;
	}
	h->skel->rodata->self_tgid = self_tgid;
	h->skel->rodata->filter_by_tgid = filter_by_tgid ? 1 : 0;
	/* 0: wake the consumer when a ring is a quarter full (bpf/wakeup.h) */
	h->skel->rodata->wakeup_bytes = wakeup_bytes ? wakeup_bytes : round_up_pow2(sample_ring_bytes) / 4;
	bpf_map__set_max_entries(h->skel->maps.samples, round_up_pow2(sample_ring_bytes));
	h->sampler_unwind = (struct unwind_map_set){ h->skel->maps.unwind_rows, h->skel->maps.unwind_pages,
						     h->skel->maps.unwind_rules, h->skel->maps.unwind_processes };
	if (unwind_rows) {
		h->skel->rodata->unwind_with_tables = 1;
		unwind_maps_size(&h->sampler_unwind, unwind_rows);
	}

	int rc = sampler_bpf__load(h->skel);
	if (rc) {
		load_error(err, errlen, rc, "sampler");
		goto fail;
	}
	if (unwind_rows) {
		h->unwind = unwind_maps_open(&h->sampler_unwind);
		if (!h->unwind) {
			set_err(err, errlen, "cannot map the unwind tables: %s", strerror(errno));
			goto fail;
		}
	}
	struct settings events = { self_tgid, filter_by_tgid, event_ring_bytes, wakeup_bytes, unwind_rows };
	struct settings waits = { self_tgid, filter_by_tgid, event_ring_bytes / 4, wakeup_bytes, unwind_rows };
	if ((sources & PSHIM_SRC_SCHED) && open_sched(h, &events, sources & PSHIM_SRC_OFFCPU_STACKS, err, errlen))
		goto fail;
	if ((sources & PSHIM_SRC_LOCKS) && open_locks(h, &waits, err, errlen))
		goto fail;
	if ((sources & PSHIM_SRC_FUTEX) && open_futex(h, &waits, err, errlen))
		goto fail;
	h->batch = eb_new();
	if (!h->batch) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	return h;
fail:
	if (h->futex)
		futex_bpf__destroy(h->futex);
	if (h->locks)
		locks_bpf__destroy(h->locks);
	if (h->sched)
		sched_bpf__destroy(h->sched);
	unwind_maps_close(h->unwind);
	if (h->skel)
		sampler_bpf__destroy(h->skel);
	close(h->wakefd);
	free(h);
	return NULL;
}

/* Elements an unwind array holds (enum unwind_array); 0 in fp mode. */
long pshim_unwind_capacity(struct pshim *h, int which)
{
	return h->unwind ? (long)unwind_maps_capacity(h->unwind, which) : 0;
}

/* Copies count elements into an unwind array from element first. */
int pshim_unwind_write(struct pshim *h, int which, long first, const void *src, long count)
{
	if (!h->unwind || first < 0 || count < 0)
		return -EINVAL;
	return unwind_maps_write(h->unwind, which, first, src, count);
}

/* Sets pid's mappings with tables (a struct prof_unwind_process), or deletes them (src NULL). */
int pshim_unwind_set_process(struct pshim *h, uint32_t pid, const void *src, int size)
{
	return h->unwind ? unwind_maps_set_process(h->unwind, pid, src, size) : -EINVAL;
}

/* Waits still open when recording stopped: begins whose end was not seen. */
int pshim_lock_waits_open(struct pshim *h)
{
	if (!h->locks)
		return 0;
	int n = 0, fd = bpf_map__fd(h->locks->maps.waits);
	unsigned char key[16], next[16];
	void *prev = NULL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		n++;
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	return n;
}

/* Attaches every program of an object loaded by pshim_open; `what` names
 * it in messages. Links are kept in h->object_links until detach. */
static int attach_object(struct pshim *h, struct bpf_object *obj, const char *what, char *err, int errlen)
{
	if (!obj) {
		set_err(err, errlen, "%s programs were not loaded", what);
		return -EINVAL;
	}
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		if (h->nobject_links == MAX_OBJECT_LINKS) {
			set_err(err, errlen, "too many programs to attach (%d)", MAX_OBJECT_LINKS);
			return -E2BIG;
		}
		struct bpf_link *l = bpf_program__attach(p);
		if (!l) {
			int e = errno;
			set_err(err, errlen, "cannot attach %s: %s", bpf_program__name(p), strerror(e));
			return -e;
		}
		h->object_links[h->nobject_links++] = l;
	}
	return 0;
}

/* Attaches the scheduler programs: switches, wakeups, interrupts, process lifecycle. */
int pshim_attach_sched(struct pshim *h, char *err, int errlen)
{
	return attach_object(h, h->sched ? h->sched->obj : NULL, "scheduler", err, errlen);
}

/* Attaches the lock contention programs (PSHIM_SRC_LOCKS). */
int pshim_attach_locks(struct pshim *h, char *err, int errlen)
{
	return attach_object(h, h->locks ? h->locks->obj : NULL, "lock contention", err, errlen);
}

/* Attaches the futex programs (PSHIM_SRC_FUTEX). */
int pshim_attach_futex(struct pshim *h, char *err, int errlen)
{
	return attach_object(h, h->futex ? h->futex->obj : NULL, "futex", err, errlen);
}

int pshim_add_tgid(struct pshim *h, uint32_t tgid)
{
	__u8 one = 1;
	return bpf_map__update_elem(h->skel->maps.target_tgids, &tgid, sizeof(tgid),
				    &one, sizeof(one), BPF_ANY) ? -errno : 0;
}

/* 1 when tgid is in the target filter (given, or a child of one), 0 when not. */
int pshim_is_target(struct pshim *h, uint32_t tgid)
{
	__u8 v;
	return bpf_map__lookup_elem(h->skel->maps.target_tgids, &tgid, sizeof(tgid), &v, sizeof(v), 0) == 0;
}

static int perf_event_open(struct perf_event_attr *attr, int cpu)
{
	return syscall(__NR_perf_event_open, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Opens the sampling event on every online CPU and attaches the sampler.
 * Tries hardware cycles first (the PMU), then software cpu-clock.
 * Returns the event source (EVENT_SOURCE_*) or a negative errno. */
int pshim_attach_sampler(struct pshim *h, int freq_hz, int allow_hw, char *err, int errlen)
{
	h->perf_fds = calloc(h->ncpus, sizeof(int));
	h->links = calloc(h->ncpus, sizeof(*h->links));
	if (!h->perf_fds || !h->links) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < h->ncpus; i++)
		h->perf_fds[i] = -1;

	struct perf_event_attr hw = {
		.size = sizeof(hw), .type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES, .freq = 1, .sample_freq = freq_hz,
	};
	/* Software cpu-clock counts ns, so a fixed period gives exactly HZ. */
	struct perf_event_attr sw = {
		.size = sizeof(sw), .type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK, .sample_period = 1000000000ull / freq_hz,
	};
	int source = 0, attached = 0, last_err = 0;
	for (int cpu = 0; cpu < h->ncpus; cpu++) {
		int fd = -1;
		if (allow_hw && source != EVENT_SOURCE_SW_CPU_CLOCK) {
			fd = perf_event_open(&hw, cpu);
			if (fd >= 0)
				source = EVENT_SOURCE_HW_CYCLES;
		}
		if (fd < 0 && source != EVENT_SOURCE_HW_CYCLES) {
			fd = perf_event_open(&sw, cpu);
			if (fd >= 0)
				source = EVENT_SOURCE_SW_CPU_CLOCK;
		}
		if (fd < 0) {
			if (errno == ENODEV || errno == EINVAL || errno == ENOENT)
				continue; /* offline or absent CPU */
			last_err = errno;
			continue;
		}
		h->perf_fds[cpu] = fd;
		h->links[cpu] = bpf_program__attach_perf_event(h->skel->progs.on_cpu_sample, fd);
		if (!h->links[cpu]) {
			last_err = errno;
			set_err(err, errlen, "cannot attach sampler on CPU %d: %s", cpu, strerror(errno));
			return -last_err;
		}
		attached++;
	}
	if (!attached) {
		if (last_err == EACCES || last_err == EPERM)
			set_err(err, errlen, "perf_event_open was refused (%s): needs CAP_PERFMON, or root", strerror(last_err));
		else
			set_err(err, errlen, "perf_event_open failed on every CPU: %s", strerror(last_err ? last_err : ENODEV));
		return -(last_err ? last_err : ENODEV);
	}
	h->event_source = source;
	if (h->skel->rodata->filter_by_tgid) {
		h->fork_link = bpf_program__attach(h->skel->progs.on_fork);
		if (!h->fork_link) {
			set_err(err, errlen, "cannot attach the fork tracker: %s", strerror(errno));
			return -errno;
		}
	}
	return source;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct pshim *h = ctx;
	/* An undecodable record is counted by eb_add and skipped; only running
	 * out of memory stops the drain. */
	return eb_add(h->batch, data, size) == -ENOMEM ? -ENOMEM : 0;
}

static int open_rings(struct pshim *h)
{
	h->rb_samples = ring_buffer__new(bpf_map__fd(h->skel->maps.samples), on_record, h, NULL);
	if (!h->rb_samples)
		return -errno;
	int first = -1;
	int fds[4] = { -1, -1, -1, -1 };
	if (h->sched) {
		fds[0] = bpf_map__fd(h->sched->maps.events);
		fds[1] = bpf_map__fd(h->sched->maps.nmi_events);
	}
	if (h->locks)
		fds[2] = bpf_map__fd(h->locks->maps.lock_events);
	if (h->futex)
		fds[3] = bpf_map__fd(h->futex->maps.futex_events);
	for (int i = 0; i < 4; i++) {
		if (fds[i] < 0)
			continue;
		if (first < 0) {
			h->rb_events = ring_buffer__new(fds[i], on_record, h, NULL);
			if (!h->rb_events)
				return -errno;
			first = i;
		} else if (ring_buffer__add(h->rb_events, fds[i], on_record, h)) {
			return -errno;
		}
	}
	/* One wait over both: each ring_buffer's epoll fd is itself pollable. */
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0)
		return -errno;
	struct ring_buffer *rbs[2] = { h->rb_samples, h->rb_events };
	for (int i = 0; i < 2; i++) {
		if (!rbs[i])
			continue;
		struct epoll_event ev = { .events = EPOLLIN };
		if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rbs[i]), &ev))
			return -errno;
	}
	struct epoll_event wake = { .events = EPOLLIN };
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->wakefd, &wake))
		return -errno;
	return 0;
}

/* Ends the current (or next) pshim_poll wait at once. Any thread, and a
 * signal handler: one write(2) to an eventfd. */
void pshim_wake(struct pshim *h)
{
	uint64_t one = 1;
	ssize_t n = write(h->wakefd, &one, sizeof(one));
	(void)n; /* EAGAIN: the counter is already non-zero, a wake is pending */
}

static int consume(struct ring_buffer *rb)
{
	if (!rb)
		return 0;
	int rc = ring_buffer__consume(rb);
	return rc < 0 && rc != -EINTR ? rc : 0;
}

/* Waits up to timeout_ms for data, then drains everything pending in every
 * ring buffer into a new batch (see event_batch.h). Returns its row count
 * over all tables (0: nothing) or a negative errno. Always consumes after
 * the wait: the BPF side wakes us only in batches.
 *
 * Drain order: events, samples, events again. An exec always precedes the
 * new image's samples, so once the samples are drained, a second pass over
 * the events catches every exec those samples could come after, and Java
 * sees it (and the new mappings) before it symbolizes their stacks. With
 * one pass, a process's first samples could come a batch before its exec
 * and be symbolized against the old image. */
long pshim_poll(struct pshim *h, int timeout_ms, unsigned long max_rows)
{
	if (!h->rb_samples) {
		int rc = open_rings(h);
		if (rc)
			return rc;
	}
	eb_reset(h->batch);
	struct epoll_event evs[3];
	if (epoll_wait(h->epfd, evs, 3, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	uint64_t wakes;
	ssize_t n = read(h->wakefd, &wakes, sizeof(wakes)); /* re-arm; EAGAIN when nobody woke us */
	(void)n;
	while (eb_total_rows(h->batch) < max_rows) {
		uint32_t before = eb_total_rows(h->batch);
		int rc = consume(h->rb_events);
		if (!rc)
			rc = consume(h->rb_samples);
		if (!rc)
			rc = consume(h->rb_events);
		if (rc)
			return rc;
		if (eb_total_rows(h->batch) == before)
			break;
	}
	return eb_total_rows(h->batch);
}

/* out[0..PROF_TABLE_COUNT) rows per table, then new stacks, bytes of new
 * stacks, threads seen, undecodable records so far, new names, bytes of new
 * names. */
void pshim_batch_info(struct pshim *h, int64_t *out)
{
	size_t bytes;
	eb_new_stacks(h->batch, &bytes);
	for (int t = 0; t < PROF_TABLE_COUNT; t++)
		out[t] = eb_rows(h->batch, t);
	out[PROF_TABLE_COUNT] = eb_new_stack_count(h->batch);
	out[PROF_TABLE_COUNT + 1] = bytes;
	out[PROF_TABLE_COUNT + 2] = eb_thread_count(h->batch);
	out[PROF_TABLE_COUNT + 3] = eb_undecodable(h->batch);
	out[PROF_TABLE_COUNT + 4] = eb_new_name_count(h->batch);
	eb_new_names(h->batch, &bytes);
	out[PROF_TABLE_COUNT + 5] = bytes;
	out[PROF_TABLE_COUNT + 6] = eb_proc_count(h->batch);
}

/* The batch tables' layout (bpf/profiler.h): Java copies columns by it and
 * checks it against the capture tables before it records. */
int pshim_table_count(void) { return PROF_TABLE_COUNT; }

const char *pshim_table_name(int table) { return eb_table_name(table); }

int pshim_column_count(int table) { return eb_column_count(table); }

const char *pshim_column_name(int table, int column) { return eb_column_name(table, column); }

int pshim_column_width(int table, int column) { return eb_column_width(table, column); }

const void *pshim_batch_procs(struct pshim *h) { return eb_procs(h->batch); }

const void *pshim_batch_new_names(struct pshim *h)
{
	size_t bytes;
	return eb_new_names(h->batch, &bytes);
}

const void *pshim_batch_new_stacks(struct pshim *h)
{
	size_t bytes;
	return eb_new_stacks(h->batch, &bytes);
}

const void *pshim_batch_threads(struct pshim *h) { return eb_threads(h->batch); }

void *pshim_batch_column(struct pshim *h, int table, int column) { return eb_column(h->batch, table, column); }

int pshim_batch_commit(struct pshim *h, const int64_t *stack_ids, uint32_t n, int64_t weight)
{
	return eb_commit(h->batch, stack_ids, n, weight);
}

/* Copies per-CPU counters: out[cpu * PROF_CNT_MAX + counter]. Returns the
 * number of CPUs written. */
int pshim_counters(struct pshim *h, uint64_t *out, int ncpus_cap)
{
	int n = h->ncpus < ncpus_cap ? h->ncpus : ncpus_cap;
	uint64_t *vals = calloc(h->ncpus, sizeof(uint64_t));
	if (!vals)
		return -ENOMEM;
	for (__u32 c = 0; c < PROF_CNT_MAX; c++) {
		if (bpf_map__lookup_elem(h->skel->maps.counters, &c, sizeof(c), vals,
					 sizeof(uint64_t) * h->ncpus, 0)) {
			free(vals);
			return -errno;
		}
		for (int cpu = 0; cpu < n; cpu++)
			out[cpu * PROF_CNT_MAX + c] = vals[cpu];
	}
	free(vals);
	return n;
}

/* Stops sampling: destroys every link and closes every perf event. The
 * ring buffer stays readable so the caller can drain what is left. */
void pshim_detach(struct pshim *h)
{
	for (int i = 0; i < h->nobject_links; i++)
		bpf_link__destroy(h->object_links[i]);
	h->nobject_links = 0;
	if (h->fork_link) {
		bpf_link__destroy(h->fork_link);
		h->fork_link = NULL;
	}
	if (h->links)
		for (int i = 0; i < h->ncpus; i++)
			if (h->links[i]) {
				bpf_link__destroy(h->links[i]);
				h->links[i] = NULL;
			}
	if (h->perf_fds)
		for (int i = 0; i < h->ncpus; i++)
			if (h->perf_fds[i] >= 0) {
				close(h->perf_fds[i]);
				h->perf_fds[i] = -1;
			}
}

void pshim_close(struct pshim *h)
{
	if (!h)
		return;
	pshim_detach(h);
	if (h->rb_samples)
		ring_buffer__free(h->rb_samples);
	if (h->rb_events)
		ring_buffer__free(h->rb_events);
	if (h->epfd > 0)
		close(h->epfd);
	if (h->wakefd > 0)
		close(h->wakefd);
	if (h->futex)
		futex_bpf__destroy(h->futex);
	if (h->locks)
		locks_bpf__destroy(h->locks);
	if (h->sched)
		sched_bpf__destroy(h->sched);
	unwind_maps_close(h->unwind);
	sampler_bpf__destroy(h->skel);
	free(h->links);
	free(h->perf_fds);
	eb_free(h->batch);
	free(h);
}

static int prog_id(struct bpf_program *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
		return -errno;
	return info.id;
}

/* IDs of every loaded program (sampler first), for the tests that check the
 * transport rule and that nothing stays loaded. Returns how many. */
int pshim_prog_ids(struct pshim *h, int *out, int cap)
{
	int n = 0;
	struct bpf_program *p;
	bpf_object__for_each_program(p, h->skel->obj)
		if (n < cap && bpf_program__fd(p) >= 0)
			out[n++] = prog_id(p);
	if (h->sched)
		bpf_object__for_each_program(p, h->sched->obj)
			if (n < cap && bpf_program__fd(p) >= 0)
				out[n++] = prog_id(p);
	if (h->locks)
		bpf_object__for_each_program(p, h->locks->obj)
			if (n < cap && bpf_program__fd(p) >= 0)
				out[n++] = prog_id(p);
	if (h->futex)
		bpf_object__for_each_program(p, h->futex->obj)
			if (n < cap && bpf_program__fd(p) >= 0)
				out[n++] = prog_id(p);
	return n;
}

/* ID of the sampler program, for the test that checks no other program
 * writes its ring buffer. */
int pshim_sampler_prog_id(struct pshim *h)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(bpf_program__fd(h->skel->progs.on_cpu_sample), &info, &len))
		return -errno;
	return info.id;
}
