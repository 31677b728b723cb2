// SPDX-License-Identifier: Apache-2.0
/*
 * A thin C shim over libbpf for the Java recorder (loaded through JNA).
 * It loads the sampler's BPF skeleton and the other sources' objects
 * (sources.c), opens one perf_event per CPU, drains the ring buffers on a
 * thread of its own (drain.c) and decodes what it drained into one batch
 * per poll (event_batch.c: each table's columns, new stacks, threads seen),
 * so Java makes a few native calls per batch and does no work per event.
 * Symbolization happens in Java; the tables of fixed-width columns
 * (samples, scheduler events) are written here (ipc_writer.c), the others
 * by Java.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "profiler.h"
#include "sampler.skel.h"
#include "drain.h"
#include "sources.h"
#include "event_batch.h"
#include "unwind_maps.h"
#include "ipc_writer.h"

#define EVENT_SOURCE_HW_CYCLES 1
#define EVENT_SOURCE_SW_CPU_CLOCK 2

#define MAX_OBJECT_LINKS 32

struct pshim {
	struct sampler_bpf *skel;
	/* each source's BPF object (SOURCES order), NULL unless it was asked for */
	struct bpf_object *objects[MAX_SOURCES];
	int attached[MAX_SOURCES]; /* 1 once its programs are attached */
	/* links of every program of those objects (attach_object) */
	struct bpf_link *object_links[MAX_OBJECT_LINKS];
	int nobject_links;
	struct drain *drain; /* drains every ring on its own thread; NULL until the first poll */
	int wakefd;          /* eventfd: pshim_wake ends a wait early (a stop, a command's exit) */
	int ncpus;
	int *perf_fds;
	struct bpf_link **links;
	struct bpf_link *fork_link; /* follows children of -p / -- CMD targets */
	int event_source;
	/* what the last poll drained, handed to Java */
	struct event_batch *batch;
	struct unwind_maps *unwind; /* NULL unless user stacks are walked with tables */
	struct unwind_map_set sampler_unwind; /* the sampler object's unwind maps, which the others share */
	/* tables whose files Java handed over (ipc_writer.h): the shim writes their batches */
	struct ipc_writer *writers[PROF_TABLE_COUNT];
	int64_t rows_closed[PROF_TABLE_COUNT]; /* rows a closed writer wrote; -1: never handed over */
	int batch_written; /* the current batch's rows are queued in the writers */
	uint64_t rows_taken[PROF_TABLE_COUNT]; /* rows of every batch so far, per table */
	int write_error;   /* the first failed table write's negative errno (a full disk), or 0 */
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

void shim_set_err(char *err, int errlen, const char *fmt, ...)
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

void shim_load_error(char *err, int errlen, int rc, const char *what)
{
	int e = -rc;
	if (e == EPERM || e == EACCES)
		shim_set_err(err, errlen, "loading the %s BPF programs was refused (%s): needs CAP_BPF and CAP_PERFMON, or root;"
			" with them, the kernel's verifier rejected the programs (--verbose prints its log)", what, strerror(e));
	else
		shim_set_err(err, errlen, "cannot load the %s BPF programs: %s (%s)", what, strerror(e), last_libbpf_msg);
}

/* The sampler object's maps stay, the other objects go. */
static void close_objects(struct pshim *h)
{
	for (int i = 0; i < NSOURCES; i++) {
		bpf_object__close(h->objects[i]);
		h->objects[i] = NULL;
	}
}

/* Opens and loads the BPF objects: the sampler, and each source whose bit
 * (1 << its index in SOURCES) is set in `sources`. Ring sizes are rounded
 * up to powers of two. unwind_rows > 0: user stacks are walked with unwind
 * tables of up to that many rows (--call-graph dwarf); 0: by frame
 * pointers. Returns NULL with a one-line reason in err. */
struct pshim *pshim_open(uint32_t self_tgid, int filter_by_tgid, unsigned long sample_ring_bytes,
			 unsigned long event_ring_bytes, unsigned long wakeup_bytes, int sources,
			 unsigned long unwind_rows, int verbose_libbpf, char *err, int errlen)
{
	verbose = verbose_libbpf;
	libbpf_set_print(libbpf_print);

	struct pshim *h = calloc(1, sizeof(*h));
	if (!h) {
		shim_set_err(err, errlen, "out of memory");
		return NULL;
	}
	h->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->wakefd < 0) {
		shim_set_err(err, errlen, "cannot create an eventfd: %s", strerror(errno));
		free(h);
		return NULL;
	}
	h->ncpus = libbpf_num_possible_cpus();
	h->skel = sampler_bpf__open();
	if (!h->skel) {
		shim_set_err(err, errlen, "cannot open BPF object: %s", strerror(errno));
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
		shim_load_error(err, errlen, rc, "sampler");
		goto fail;
	}
	if (unwind_rows) {
		h->unwind = unwind_maps_open(&h->sampler_unwind);
		if (!h->unwind) {
			shim_set_err(err, errlen, "cannot map the unwind tables: %s", strerror(errno));
			goto fail;
		}
	}
	struct source_settings set = { self_tgid, filter_by_tgid, sources, event_ring_bytes, wakeup_bytes, unwind_rows };
	struct shared_maps shared = { bpf_map__fd(h->skel->maps.target_tgids), bpf_map__fd(h->skel->maps.counters),
				      &h->sampler_unwind };
	for (int i = 0; i < NSOURCES; i++) {
		if (!(sources & (1 << i)))
			continue;
		if (SOURCES[i].needs && !(sources & source_bit(SOURCES[i].needs))) {
			shim_set_err(err, errlen, "%s needs %s", SOURCES[i].name, SOURCES[i].needs);
			goto fail;
		}
		if (SOURCES[i].elf_bytes && !(h->objects[i] = source_open(i, &set, &shared, err, errlen)))
			goto fail;
	}
	h->batch = eb_new();
	for (int t = 0; t < PROF_TABLE_COUNT; t++)
		h->rows_closed[t] = -1;
	if (!h->batch) {
		shim_set_err(err, errlen, "out of memory");
		goto fail;
	}
	return h;
fail:
	close_objects(h);
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

/* Lock waits still open when recording stopped: begins whose end was not seen. */
int pshim_lock_waits_open(struct pshim *h)
{
	int i = 0;
	while (i < NSOURCES && strcmp(SOURCES[i].name, "locks"))
		i++;
	struct bpf_map *waits = i < NSOURCES && h->objects[i] ? bpf_object__find_map_by_name(h->objects[i], "waits") : NULL;
	if (!waits)
		return 0;
	int n = 0, fd = bpf_map__fd(waits);
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
		shim_set_err(err, errlen, "%s programs were not loaded", what);
		return -EINVAL;
	}
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		if (h->nobject_links == MAX_OBJECT_LINKS) {
			shim_set_err(err, errlen, "too many programs to attach (%d)", MAX_OBJECT_LINKS);
			return -E2BIG;
		}
		struct bpf_link *l = bpf_program__attach(p);
		if (!l) {
			int e = errno;
			shim_set_err(err, errlen, "cannot attach %s: %s", bpf_program__name(p), strerror(e));
			return -e;
		}
		h->object_links[h->nobject_links++] = l;
	}
	return 0;
}

/* Attaches every program of every source pshim_open loaded. An optional
 * source that cannot attach is left off (pshim_source_on says so), with the
 * links it got so far undone. */
int pshim_attach_sources(struct pshim *h, char *err, int errlen)
{
	for (int i = 0; i < NSOURCES; i++) {
		if (!h->objects[i])
			continue;
		int first_link = h->nobject_links;
		int rc = attach_object(h, h->objects[i], SOURCES[i].what, err, errlen);
		if (rc && SOURCES[i].optional) {
			while (h->nobject_links > first_link)
				bpf_link__destroy(h->object_links[--h->nobject_links]);
			if (err && errlen > 0)
				err[0] = 0;
			continue;
		}
		if (rc)
			return rc;
		h->attached[i] = 1;
	}
	return 0;
}

/* 1 when source i (SOURCES order) was loaded and attached. */
int pshim_source_on(struct pshim *h, int i) { return i >= 0 && i < NSOURCES && h->attached[i]; }

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
		shim_set_err(err, errlen, "out of memory");
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
			shim_set_err(err, errlen, "cannot attach sampler on CPU %d: %s", cpu, strerror(errno));
			return -last_err;
		}
		attached++;
	}
	if (!attached) {
		if (last_err == EACCES || last_err == EPERM)
			shim_set_err(err, errlen, "perf_event_open was refused (%s): needs CAP_PERFMON, or root", strerror(last_err));
		else
			shim_set_err(err, errlen, "perf_event_open failed on every CPU: %s", strerror(last_err ? last_err : ENODEV));
		return -(last_err ? last_err : ENODEV);
	}
	h->event_source = source;
	if (h->skel->rodata->filter_by_tgid) {
		h->fork_link = bpf_program__attach(h->skel->progs.on_fork);
		if (!h->fork_link) {
			shim_set_err(err, errlen, "cannot attach the fork tracker: %s", strerror(errno));
			return -errno;
		}
	}
	return source;
}

static int decode_record(void *ctx, const void *data, size_t size)
{
	struct pshim *h = ctx;
	/* An undecodable record is counted by eb_add and skipped; only running
	 * out of memory stops the walk. */
	return eb_add(h->batch, data, size) == -ENOMEM ? -ENOMEM : 0;
}

/* Staged records past which the drain thread leaves the rest in the rings:
 * Java is then far behind (a storm writes ~100 MB/s; Java takes the stage
 * every few tens of ms), and the BPF side counts what it cannot write. */
#define STAGE_LIMIT (64ul << 20)

static int open_rings(struct pshim *h)
{
	h->drain = drain_new(STAGE_LIMIT);
	if (!h->drain)
		return -ENOMEM;
	int rc = drain_add_ring(h->drain, bpf_map__fd(h->skel->maps.samples), 1);
	for (int i = 0; !rc && i < NSOURCES; i++) {
		for (int r = 0; !rc && h->objects[i] && r < MAX_SOURCE_RINGS && SOURCES[i].rings[r]; r++) {
			struct bpf_map *m = bpf_object__find_map_by_name(h->objects[i], SOURCES[i].rings[r]);
			rc = m ? drain_add_ring(h->drain, bpf_map__fd(m), 0) : -ENOENT;
		}
	}
	return rc ? rc : drain_start(h->drain, h->wakefd);
}

/* Ends the current (or next) pshim_poll wait at once. Any thread, and a
 * signal handler: one write(2) to an eventfd. */
void pshim_wake(struct pshim *h)
{
	uint64_t one = 1;
	ssize_t n = write(h->wakefd, &one, sizeof(one));
	(void)n; /* EAGAIN: the counter is already non-zero, a wake is pending */
}

/* Waits up to timeout_ms for data, then hands everything drained so far
 * into a new batch (see event_batch.h, drain.h). Sets *woken when
 * pshim_wake ended the wait. Always takes after the wait: the BPF side
 * wakes us only in batches. */
static int poll_once(struct pshim *h, int timeout_ms, int *woken)
{
	if (!h->drain) {
		int rc = open_rings(h);
		if (rc)
			return rc;
	}
	eb_reset(h->batch);
	h->batch_written = 0;
	int rc = drain_wait(h->drain, timeout_ms);
	uint64_t wakes = 0;
	ssize_t n = read(h->wakefd, &wakes, sizeof(wakes)); /* re-arm; EAGAIN when nobody woke us */
	*woken = n == sizeof(wakes) && wakes > 0;
	if (!rc)
		rc = drain_take(h->drain, decode_record, h);
	for (int t = 0; t < PROF_TABLE_COUNT; t++)
		h->rows_taken[t] += eb_rows(h->batch, t);
	return rc;
}

/* Rows of table in every batch so far (Java's and those the shim wrote
 * alone): the status and summary lines' counts. */
int64_t pshim_rows_taken(struct pshim *h, int table)
{
	return table >= 0 && table < PROF_TABLE_COUNT ? (int64_t)h->rows_taken[table] : -1;
}

/* Something in the batch Java has to see: rows, new stacks, threads or
 * names, or process events. */
static long batch_size(struct pshim *h)
{
	return (long)eb_total_rows(h->batch) + eb_new_stack_count(h->batch) + eb_thread_count(h->batch) +
	       eb_new_name_count(h->batch) + eb_proc_count(h->batch);
}

/* Waits up to timeout_ms, then takes everything drained so far into a new
 * batch. Returns its size (0: nothing came; see batch_size) or a negative
 * errno. */
long pshim_poll(struct pshim *h, int timeout_ms)
{
	int woken;
	int rc = poll_once(h, timeout_ms, &woken);
	return rc < 0 ? rc : batch_size(h);
}

/* Whether the batch holds work only Java does: stacks, threads or names it
 * has not seen, process events, or rows of a table the shim does not write
 * (Java fills in their symbols and handler names). */
static int batch_needs_java(struct pshim *h)
{
	if (eb_new_stack_count(h->batch) || eb_thread_count(h->batch) || eb_new_name_count(h->batch) ||
	    eb_proc_count(h->batch))
		return 1;
	for (int t = 0; t < PROF_TABLE_COUNT; t++)
		if (!h->writers[t] && eb_rows(h->batch, t))
			return 1;
	return 0;
}

int pshim_tables_write(struct pshim *h, int64_t max_age_ns);
int64_t pshim_tables_ns_until_due(struct pshim *h, int64_t max_age_ns);

/* The recording's steady loop, without Java: polls until a batch needs
 * Java (batch_needs_java), pshim_wake is called or timeout_ms passes. Every
 * other batch the shim commits itself (weight: each sample's) and queues
 * into the handed-over tables, and it writes their batches as they come due
 * (max_age_ns), waking for that too. So while nothing is new, the JVM runs
 * no code at all (docs/design.md, "The steady loop runs in C"). Returns the
 * size of the batch left for Java (> 0: read it as pshim_poll's), 0 when
 * there is none, or a negative errno (a failed write: a full disk). */
long pshim_run(struct pshim *h, int timeout_ms, int64_t max_age_ns, int64_t weight)
{
	uint64_t deadline = pshim_clock_ns(0) + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;
	for (;;) {
		uint64_t now = pshim_clock_ns(0);
		int64_t left = now >= deadline ? 0 : (int64_t)(deadline - now);
		int64_t due = pshim_tables_ns_until_due(h, max_age_ns);
		if (due < left)
			left = due > 0 ? due : 0;
		int woken;
		int rc = poll_once(h, (int)((left + 999999) / 1000000), &woken);
		if (rc < 0)
			return rc;
		if (batch_needs_java(h))
			return batch_size(h);
		if (eb_total_rows(h->batch) && eb_commit(h->batch, NULL, 0, weight))
			return -EINVAL;
		rc = pshim_tables_write(h, max_age_ns);
		if (rc < 0)
			return rc;
		if (woken || pshim_clock_ns(0) >= deadline)
			return 0;
	}
}

/* The negative errno of the first failed table write, or 0: tells a
 * failed write from a failed poll in pshim_run's return. */
int pshim_write_error(struct pshim *h) { return h->write_error; }

/* Every thread seen so far (struct prof_thread_seen, thread_table.h). */
long pshim_all_thread_count(struct pshim *h) { return eb_all_thread_count(h->batch); }

const void *pshim_all_threads(struct pshim *h) { return eb_all_threads(h->batch); }

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

/* Writes table's batches from now on into path, which Java created and
 * gave the stream's schema and dictionaries (ipc_writer.h); nullable[c]:
 * column c's -1 is null. Returns 0 or a negative errno. */
int pshim_table_write_to(struct pshim *h, int table, const char *path, const int *nullable, int batch_rows)
{
	if (table < 0 || table >= PROF_TABLE_COUNT || h->writers[table] || batch_rows <= 0)
		return -EINVAL;
	int ncols = eb_column_count(table), widths[64];
	if (ncols <= 0 || ncols > 64)
		return -EINVAL;
	for (int c = 0; c < ncols; c++)
		widths[c] = eb_column_width(table, c);
	h->writers[table] = ipc_writer_open(path, ncols, widths, nullable, (uint32_t)batch_rows);
	return h->writers[table] ? 0 : -errno;
}

/* Queues the current batch's rows of the handed-over tables (once, after
 * pshim_batch_commit), then writes every table's batch whose oldest row
 * waited max_age_ns. Returns 0 or a negative errno (a full disk). */
int pshim_tables_write(struct pshim *h, int64_t max_age_ns)
{
	uint64_t now = pshim_clock_ns(0);
	for (int t = 0; t < PROF_TABLE_COUNT; t++) {
		struct ipc_writer *w = h->writers[t];
		if (!w)
			continue;
		uint32_t n = h->batch_written ? 0 : eb_rows(h->batch, t);
		if (n) {
			void *cols[64];
			int ncols = eb_column_count(t);
			for (int c = 0; c < ncols; c++)
				cols[c] = eb_column(h->batch, t, c);
			int rc = ipc_writer_append(w, n, cols, now);
			if (rc)
				return h->write_error = rc;
		}
		int rc = ipc_writer_flush(w, (uint64_t)max_age_ns, now);
		if (rc)
			return h->write_error = rc;
	}
	h->batch_written = 1;
	return 0;
}

/* ns until pshim_tables_write(h, max_age_ns) has a batch to write; INT64_MAX: no rows queued. */
int64_t pshim_tables_ns_until_due(struct pshim *h, int64_t max_age_ns)
{
	uint64_t now = pshim_clock_ns(0);
	int64_t soonest = INT64_MAX;
	for (int t = 0; t < PROF_TABLE_COUNT; t++) {
		if (!h->writers[t])
			continue;
		int64_t ns = ipc_writer_ns_until_due(h->writers[t], (uint64_t)max_age_ns, now);
		if (ns < soonest)
			soonest = ns;
	}
	return soonest;
}

/* Rows the shim wrote into table's file so far; -1 if it writes none. */
int64_t pshim_table_rows_written(struct pshim *h, int table)
{
	if (table < 0 || table >= PROF_TABLE_COUNT)
		return -1;
	return h->writers[table] ? (int64_t)ipc_writer_rows_written(h->writers[table]) : h->rows_closed[table];
}

/* Writes what the handed-over tables hold, ends their streams and closes
 * them. Returns 0 or the first negative errno. */
int pshim_tables_close(struct pshim *h)
{
	int first = 0;
	for (int t = 0; t < PROF_TABLE_COUNT; t++) {
		if (!h->writers[t])
			continue;
		uint64_t rows = 0;
		int rc = ipc_writer_close(h->writers[t], &rows);
		h->rows_closed[t] = (int64_t)rows;
		h->writers[t] = NULL;
		if (rc && !first)
			first = rc;
	}
	return first;
}

/* The text of an errno, for Java's messages. */
const char *pshim_strerror(int errnum) { return strerror(errnum); }

/* The layout of the records the shim hands to Java (bpf/profiler.h):
 * "struct" is its size, "struct.field" a field's offset; -1 for a name not
 * here. Java's BpfRecords decodes them with its own offsets, and a test
 * compares the two. */
#define SIZE(s) { #s, sizeof(struct s) }
#define FIELD(s, f) { #s "." #f, offsetof(struct s, f) }
static const struct {
	const char *name;
	long value;
} RECORD_LAYOUT[] = {
	SIZE(prof_stack_def), FIELD(prof_stack_def, raw_id), FIELD(prof_stack_def, pid),
	FIELD(prof_stack_def, kstack_len), FIELD(prof_stack_def, ustack_len), FIELD(prof_stack_def, flags),
	FIELD(prof_stack_def, ips),
	SIZE(prof_thread_seen), FIELD(prof_thread_seen, tid), FIELD(prof_thread_seen, pid),
	FIELD(prof_thread_seen, first_ts), FIELD(prof_thread_seen, last_ts), FIELD(prof_thread_seen, comm),
	SIZE(prof_proc), FIELD(prof_proc, what), FIELD(prof_proc, ts), FIELD(prof_proc, pid), FIELD(prof_proc, tid),
	FIELD(prof_proc, ppid), FIELD(prof_proc, group_dead), FIELD(prof_proc, comm), FIELD(prof_proc, start_code),
	FIELD(prof_proc, end_code), FIELD(prof_proc, filename),
	SIZE(prof_name_def), FIELD(prof_name_def, id), FIELD(prof_name_def, len), FIELD(prof_name_def, bytes),
};

long pshim_record_layout(const char *name)
{
	for (size_t i = 0; i < sizeof(RECORD_LAYOUT) / sizeof(RECORD_LAYOUT[0]); i++)
		if (!strcmp(RECORD_LAYOUT[i].name, name))
			return RECORD_LAYOUT[i].value;
	return -1;
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
	pshim_tables_close(h); /* after a failure: what the tables hold is written if it can be */
	drain_free(h->drain);
	if (h->wakefd > 0)
		close(h->wakefd);
	close_objects(h);
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
	for (int i = 0; i < NSOURCES; i++)
		if (h->objects[i])
			bpf_object__for_each_program(p, h->objects[i])
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
