/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The unwind tables' BPF maps (bpf/unwind.bpf.h) from user space: sized
 * before load, then written by Java through these calls. The three arrays
 * are mmap'ed, so loading a table is a memcpy, not one syscall per row;
 * a process's mappings are one hash update.
 */
#ifndef UNWIND_MAPS_H
#define UNWIND_MAPS_H

#include <stdint.h>
#include <bpf/libbpf.h>

/* The arrays Java writes (pshim_unwind_write's `which`). */
enum unwind_array {
	UNWIND_ROWS = 0,  /* struct prof_unwind_row, indexed by row */
	UNWIND_PAGES = 1, /* struct prof_unwind_page */
	UNWIND_RULES = 2, /* struct prof_unwind_rule */
	UNWIND_ARRAYS = 3,
};

struct unwind_maps;

/* The four maps bpf/unwind.bpf.h declares, in one BPF object. */
struct unwind_map_set {
	struct bpf_map *rows, *pages, *rules, *processes;
};

/* Before load: room for `rows` rows (rounded up to whole chunks), and the
 * fixed sizes of the page, rule and process maps. */
void unwind_maps_size(const struct unwind_map_set *m, unsigned long row_count);

/* Before load: another object that walks user stacks walks with the
 * sampler's tables (its maps reuse the sampler's, sized alike). */
int unwind_maps_share(const struct unwind_map_set *object, const struct unwind_map_set *sampler,
		      unsigned long row_count);

/* After the sampler's load: maps the arrays; NULL with errno set on failure. */
struct unwind_maps *unwind_maps_open(const struct unwind_map_set *m);
void unwind_maps_close(struct unwind_maps *u);

/* Capacity of an array in elements (rows for UNWIND_ROWS). */
uint64_t unwind_maps_capacity(const struct unwind_maps *u, int which);

/* Copies count elements to [first, first + count) of an array; -EINVAL out of range. */
int unwind_maps_write(struct unwind_maps *u, int which, uint64_t first, const void *src, uint64_t count);

/* Sets (size: a struct prof_unwind_process) or, with src NULL, deletes pid's mappings. */
int unwind_maps_set_process(struct unwind_maps *u, uint32_t pid, const void *src, uint32_t size);

#endif /* UNWIND_MAPS_H */
