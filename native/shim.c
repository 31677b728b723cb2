// SPDX-License-Identifier: Apache-2.0
/*
 * A thin C shim over libbpf for the Java recorder (loaded through JNA).
 * It loads the BPF skeleton, opens one perf_event per CPU, and drains the
 * sampler's ring buffer into one batch per poll (sample_batch.c: sample
 * columns, new stacks, threads seen), so Java makes a few native calls per
 * batch and does no work per sample. Symbolization and writing happen in
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
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "profiler.h"
#include "sampler.skel.h"
#include "sample_batch.h"

#define EVENT_SOURCE_HW_CYCLES 1
#define EVENT_SOURCE_SW_CPU_CLOCK 2

struct pshim {
	struct sampler_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
	int *perf_fds;
	struct bpf_link **links;
	struct bpf_link *fork_link; /* follows children of -p / -- CMD targets */
	int event_source;
	/* what the last poll drained, handed to Java */
	struct sample_batch *batch;
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

/* Opens and loads the BPF object. ring_bytes is rounded up to a power of
 * two. Returns NULL with a one-line reason in err. */
struct pshim *pshim_open(uint32_t self_tgid, int filter_by_tgid,
			 unsigned long ring_bytes, unsigned long wakeup_bytes,
			 int verbose_libbpf, char *err, int errlen)
{
	verbose = verbose_libbpf;
	libbpf_set_print(libbpf_print);

	struct pshim *h = calloc(1, sizeof(*h));
	if (!h) {
		set_err(err, errlen, "out of memory");
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
	h->skel->rodata->wakeup_bytes = wakeup_bytes;
	bpf_map__set_max_entries(h->skel->maps.samples, round_up_pow2(ring_bytes));

	int rc = sampler_bpf__load(h->skel);
	if (rc) {
		int e = -rc;
		if (e == EPERM || e == EACCES)
			set_err(err, errlen, "loading BPF programs was refused (%s): needs CAP_BPF and CAP_PERFMON, or root", strerror(e));
		else
			set_err(err, errlen, "cannot load BPF programs: %s (%s)", strerror(e), last_libbpf_msg);
		goto fail;
	}
	h->batch = sb_new();
	if (!h->batch) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	return h;
fail:
	if (h->skel)
		sampler_bpf__destroy(h->skel);
	free(h);
	return NULL;
}

int pshim_add_tgid(struct pshim *h, uint32_t tgid)
{
	__u8 one = 1;
	return bpf_map__update_elem(h->skel->maps.target_tgids, &tgid, sizeof(tgid),
				    &one, sizeof(one), BPF_ANY) ? -errno : 0;
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
	/* An undecodable record is counted by sb_add and skipped; only running
	 * out of memory stops the drain. */
	return sb_add(h->batch, data, size) == -ENOMEM ? -ENOMEM : 0;
}

/* Waits up to timeout_ms for data, then drains everything pending into a new
 * batch (see sample_batch.h). Returns its row count (0: nothing) or a
 * negative errno. Always consumes after the poll: the BPF side wakes us only
 * in batches. */
long pshim_poll(struct pshim *h, int timeout_ms, unsigned long max_rows)
{
	if (!h->rb) {
		h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.samples), on_record, h, NULL);
		if (!h->rb)
			return -errno;
	}
	sb_reset(h->batch);
	int rc = ring_buffer__poll(h->rb, timeout_ms);
	if (rc < 0 && rc != -EINTR)
		return rc;
	/* Keep draining until empty or the batch is big enough to hand over. */
	while (sb_rows(h->batch) < max_rows) {
		uint32_t before = sb_rows(h->batch);
		rc = ring_buffer__consume(h->rb);
		if (rc < 0 && rc != -EINTR)
			return rc;
		if (sb_rows(h->batch) == before)
			break;
	}
	return sb_rows(h->batch);
}

/* out[0] rows, [1] new stacks, [2] bytes of new stacks, [3] threads seen,
 * [4] undecodable records so far. */
void pshim_batch_info(struct pshim *h, int64_t *out)
{
	size_t bytes;
	sb_new_stacks(h->batch, &bytes);
	out[0] = sb_rows(h->batch);
	out[1] = sb_new_stack_count(h->batch);
	out[2] = bytes;
	out[3] = sb_thread_count(h->batch);
	out[4] = sb_undecodable(h->batch);
}

const void *pshim_batch_new_stacks(struct pshim *h)
{
	size_t bytes;
	return sb_new_stacks(h->batch, &bytes);
}

const void *pshim_batch_threads(struct pshim *h) { return sb_threads(h->batch); }

void *pshim_batch_column(struct pshim *h, int column) { return sb_column(h->batch, column); }

int pshim_batch_commit(struct pshim *h, const int64_t *stack_ids, uint32_t n, int64_t weight)
{
	return sb_commit(h->batch, stack_ids, n, weight);
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
	if (h->rb)
		ring_buffer__free(h->rb);
	sampler_bpf__destroy(h->skel);
	free(h->links);
	free(h->perf_fds);
	sb_free(h->batch);
	free(h);
}

/* ID of the sampler's ring buffer map and of the program, for the test that
 * checks no other program writes that ring buffer. */
int pshim_sampler_prog_id(struct pshim *h)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(bpf_program__fd(h->skel->progs.on_cpu_sample), &info, &len))
		return -errno;
	return info.id;
}
