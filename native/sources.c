/* SPDX-License-Identifier: Apache-2.0 */
/* The recorded sources' descriptors, and how each object is set up (sources.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include "profiler.h"
#include "sources.h"
#include "sched.skel.h"
#include "locks.skel.h"
#include "futex.skel.h"
#include "libraries.skel.h"

static unsigned long round_up_pow2(unsigned long v)
{
	unsigned long p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

/* Sets a `const volatile` global of a BPF object before it is loaded, by
 * name: what a skeleton's typed rodata struct does, for any object. */
static int set_rodata(struct bpf_object *obj, const char *var, const void *value, size_t size)
{
	struct btf *btf = bpf_object__btf(obj);
	int sec_id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	if (sec_id <= 0)
		return -ENOENT;
	struct bpf_map *rodata = NULL, *m;
	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		size_t n = strlen(name);
		if (bpf_map__is_internal(m) && n >= 7 && !strcmp(name + n - 7, ".rodata"))
			rodata = m;
	}
	size_t data_size;
	const void *initial = rodata ? bpf_map__initial_value(rodata, &data_size) : NULL;
	if (!initial)
		return -ENOENT;
	const struct btf_type *sec = btf__type_by_id(btf, sec_id);
	const struct btf_var_secinfo *vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, v->name_off), var))
			continue;
		if (vs->size != size || vs->offset + size > data_size)
			return -EINVAL;
		char *data = malloc(data_size);
		if (!data)
			return -ENOMEM;
		memcpy(data, initial, data_size);
		memcpy(data + vs->offset, value, size);
		int rc = bpf_map__set_initial_value(rodata, data, data_size);
		free(data);
		return rc;
	}
	return -ENOENT;
}

static int set_rodata_u32(struct bpf_object *obj, const char *var, uint32_t v) { return set_rodata(obj, var, &v, 4); }

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

static int prepare_sched(struct bpf_object *obj, const struct source_settings *s, char *err, int errlen)
{
	int rc = set_rodata_u32(obj, "switch_has_prev_state", sched_switch_args() >= 4);
	return rc ? rc : set_rodata_u32(obj, "offcpu_stacks", (s->sources & source_bit("offcpu_stacks")) ? 1 : 0);
}

/* The syscall tracepoints are found by id in tracefs; a fresh machine may
 * not have it mounted. */
static int prepare_futex(struct bpf_object *obj, const struct source_settings *s, char *err, int errlen)
{
	if (!access("/sys/kernel/tracing/events/syscalls", F_OK) ||
	    !access("/sys/kernel/debug/tracing/events/syscalls", F_OK))
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) && errno != EBUSY) {
		shim_set_err(err, errlen, "--futex needs tracefs, and mounting it on /sys/kernel/tracing failed: %s",
			strerror(errno));
		return -errno;
	}
	if (access("/sys/kernel/tracing/events/syscalls", F_OK)) {
		shim_set_err(err, errlen, "--futex needs the syscall tracepoints, and this kernel has none "
			"(CONFIG_FTRACE_SYSCALLS)");
		return -ENOENT;
	}
	return 0;
}

const struct source SOURCES[] = {
	{ "sched", "scheduler", NULL, 0, sched_bpf__elf_bytes, { "events", "nmi_events" }, 1, prepare_sched },
	{ "offcpu_stacks", "off-CPU stack", "sched", 0, NULL, { NULL }, 0, NULL },
	{ "locks", "lock contention", NULL, 0, locks_bpf__elf_bytes, { "lock_events" }, 4, NULL },
	{ "futex", "futex", NULL, 0, futex_bpf__elf_bytes, { "futex_events" }, 4, prepare_futex },
	/* no ld.so at the psABI path (another libc, another architecture): the 250 ms poll finds new libraries */
	{ "libraries", "library", NULL, 1, libraries_bpf__elf_bytes, { "library_events" }, 128, NULL },
};
const int NSOURCES = (int)(sizeof(SOURCES) / sizeof(SOURCES[0]));
_Static_assert(sizeof(SOURCES) / sizeof(SOURCES[0]) <= MAX_SOURCES, "raise MAX_SOURCES");

int source_bit(const char *name)
{
	for (int i = 0; i < NSOURCES; i++)
		if (!strcmp(SOURCES[i].name, name))
			return 1 << i;
	return 0;
}

struct bpf_object *source_open(int i, const struct source_settings *set, const struct shared_maps *shared,
				  char *err, int errlen)
{
	const struct source *src = &SOURCES[i];
	size_t size;
	const void *bytes = src->elf_bytes(&size);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = src->name);
	struct bpf_object *obj = bpf_object__open_mem(bytes, size, &opts);
	if (!obj) {
		shim_set_err(err, errlen, "cannot open the %s BPF object: %s", src->what, strerror(errno));
		return NULL;
	}
	unsigned long ring = round_up_pow2(set->ring_bytes / src->ring_divisor);
	uint64_t wakeup = set->wakeup_bytes ? set->wakeup_bytes : ring / 4;
	struct bpf_map *first_ring = bpf_object__find_map_by_name(obj, src->rings[0]);
	int rc = first_ring ? bpf_map__set_max_entries(first_ring, ring) : -ENOENT;
	if (!rc)
		rc = set_rodata_u32(obj, "self_tgid", set->self_tgid);
	if (!rc)
		rc = set_rodata_u32(obj, "filter_by_tgid", set->filter_by_tgid ? 1 : 0);
	if (!rc)
		rc = set_rodata(obj, "wakeup_bytes", &wakeup, sizeof(wakeup));
	if (!rc)
		rc = bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, "target_tgids"), shared->target_tgids_fd);
	if (!rc)
		rc = bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, "counters"), shared->counters_fd);
	struct unwind_map_set mine = { bpf_object__find_map_by_name(obj, "unwind_rows"),
				       bpf_object__find_map_by_name(obj, "unwind_pages"),
				       bpf_object__find_map_by_name(obj, "unwind_rules"),
				       bpf_object__find_map_by_name(obj, "unwind_processes") };
	if (!rc && set->unwind_rows && mine.rows) {
		rc = set_rodata_u32(obj, "unwind_with_tables", 1);
		if (!rc)
			rc = unwind_maps_share(&mine, shared->sampler_unwind, set->unwind_rows);
	}
	if (rc)
		shim_set_err(err, errlen, "cannot set up the %s BPF object: %s", src->what, strerror(-rc));
	else if (src->prepare)
		rc = src->prepare(obj, set, err, errlen);
	if (!rc && (rc = bpf_object__load(obj)))
		shim_load_error(err, errlen, rc, src->what);
	if (rc) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* The recorded sources, for Java, by index (NULL past the end); pshim_open
 * takes source i as bit 1 << i. */
int pshim_source_count(void) { return NSOURCES; }

const char *pshim_source_name(int i) { return i >= 0 && i < NSOURCES ? SOURCES[i].name : NULL; }

/* The source a modifier needs on with it, or NULL. */
const char *pshim_source_needs(int i) { return i >= 0 && i < NSOURCES ? SOURCES[i].needs : NULL; }

/* PROF_COUNTERS, for Java: each counter's source, stream and kind by index. */
#define COUNTER_SOURCE(id, source, stream, kind) source,
#define COUNTER_STREAM(id, source, stream, kind) stream,
#define COUNTER_KIND(id, source, stream, kind) kind,
static const char *const COUNTER_SOURCES[] = { PROF_COUNTERS(COUNTER_SOURCE) };
static const char *const COUNTER_STREAMS[] = { PROF_COUNTERS(COUNTER_STREAM) };
static const char *const COUNTER_KINDS[] = { PROF_COUNTERS(COUNTER_KIND) };

int pshim_counter_count(void) { return PROF_CNT_MAX; }

const char *pshim_counter_source(int i) { return i >= 0 && i < PROF_CNT_MAX ? COUNTER_SOURCES[i] : NULL; }

const char *pshim_counter_stream(int i) { return i >= 0 && i < PROF_CNT_MAX ? COUNTER_STREAMS[i] : NULL; }

const char *pshim_counter_kind(int i) { return i >= 0 && i < PROF_CNT_MAX ? COUNTER_KINDS[i] : NULL; }

