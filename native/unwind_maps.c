// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "profiler.h"
#include "unwind_maps.h"

/* Fixed sizes: 65,536 pages of 64 KiB (4 GiB of code with tables at once),
 * as many distinct rules (a rule index is 16 bits; measured: libc, libstdc++
 * and libjvm together have a few thousand), and processes with tables. */
#define UNWIND_PAGE_COUNT 65536
#define UNWIND_RULE_COUNT 65536
#define UNWIND_PROCESS_COUNT 16384

struct unwind_maps {
	void *base[UNWIND_ARRAYS];
	size_t bytes[UNWIND_ARRAYS];
	uint64_t capacity[UNWIND_ARRAYS];
	size_t elem[UNWIND_ARRAYS];
	int processes_fd;
};

void unwind_maps_size(const struct unwind_map_set *m, unsigned long row_count)
{
	unsigned long chunks = (row_count + PROF_UNWIND_ROWS_PER_CHUNK - 1) / PROF_UNWIND_ROWS_PER_CHUNK;
	bpf_map__set_max_entries(m->rows, chunks ? chunks : 1);
	bpf_map__set_max_entries(m->pages, UNWIND_PAGE_COUNT);
	bpf_map__set_max_entries(m->rules, UNWIND_RULE_COUNT);
	bpf_map__set_max_entries(m->processes, UNWIND_PROCESS_COUNT);
}

int unwind_maps_share(const struct unwind_map_set *object, const struct unwind_map_set *sampler,
		      unsigned long row_count)
{
	/* reuse_fd wants the same definition: sized as the sampler's were */
	unwind_maps_size(object, row_count);
	int rc = bpf_map__reuse_fd(object->rows, bpf_map__fd(sampler->rows));
	if (!rc)
		rc = bpf_map__reuse_fd(object->pages, bpf_map__fd(sampler->pages));
	if (!rc)
		rc = bpf_map__reuse_fd(object->rules, bpf_map__fd(sampler->rules));
	return rc ? rc : bpf_map__reuse_fd(object->processes, bpf_map__fd(sampler->processes));
}

static int map_array(struct unwind_maps *u, int which, struct bpf_map *m, size_t elem, uint64_t per_entry)
{
	/* an array's elements are value_size rounded up to 8 bytes */
	size_t value = (bpf_map__value_size(m) + 7) & ~7ul;
	size_t bytes = value * bpf_map__max_entries(m);
	long page = sysconf(_SC_PAGESIZE);
	bytes = (bytes + page - 1) / page * page;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED)
		return -errno;
	u->base[which] = p;
	u->bytes[which] = bytes;
	u->elem[which] = elem;
	u->capacity[which] = (uint64_t)bpf_map__max_entries(m) * per_entry;
	return 0;
}

struct unwind_maps *unwind_maps_open(const struct unwind_map_set *m)
{
	struct unwind_maps *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	int rc = map_array(u, UNWIND_ROWS, m->rows, sizeof(struct prof_unwind_row), PROF_UNWIND_ROWS_PER_CHUNK);
	if (!rc)
		rc = map_array(u, UNWIND_PAGES, m->pages, sizeof(struct prof_unwind_page), 1);
	if (!rc)
		rc = map_array(u, UNWIND_RULES, m->rules, sizeof(struct prof_unwind_rule), 1);
	if (rc) {
		unwind_maps_close(u);
		errno = -rc;
		return NULL;
	}
	u->processes_fd = bpf_map__fd(m->processes);
	return u;
}

void unwind_maps_close(struct unwind_maps *u)
{
	if (!u)
		return;
	for (int i = 0; i < UNWIND_ARRAYS; i++)
		if (u->base[i])
			munmap(u->base[i], u->bytes[i]);
	free(u);
}

uint64_t unwind_maps_capacity(const struct unwind_maps *u, int which)
{
	return which >= 0 && which < UNWIND_ARRAYS ? u->capacity[which] : 0;
}

int unwind_maps_write(struct unwind_maps *u, int which, uint64_t first, const void *src, uint64_t count)
{
	if (which < 0 || which >= UNWIND_ARRAYS || first > u->capacity[which] || count > u->capacity[which] - first)
		return -EINVAL;
	/* rows: chunks are exactly ROWS_PER_CHUNK rows of 4 bytes, so the array is one flat row array */
	memcpy((char *)u->base[which] + first * u->elem[which], src, count * u->elem[which]);
	return 0;
}

int unwind_maps_set_process(struct unwind_maps *u, uint32_t pid, const void *src, uint32_t size)
{
	if (!src)
		return bpf_map_delete_elem(u->processes_fd, &pid) && errno != ENOENT ? -errno : 0;
	if (size != sizeof(struct prof_unwind_process))
		return -EINVAL;
	return bpf_map_update_elem(u->processes_fd, &pid, src, BPF_ANY) ? -errno : 0;
}
