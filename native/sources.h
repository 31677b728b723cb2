/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recorded sources besides the sampler (which is always on and owns the
 * maps the others share), each one descriptor: its name (the manifest's
 * options.sources, the owner of its counters in PROF_COUNTERS), its BPF
 * object (from its skeleton, opened through libbpf's generic API), its
 * rings (the first sized by the recorder, the others as declared), and what
 * it needs set before load. pshim_open loads source i when bit 1 << i of its
 * `sources` is set; every program of the object is attached by
 * pshim_attach_sources. A source with no object modifies the one it needs.
 * Java reads names through pshim_source_*; what a source records is defined
 * by bpf/profiler.h's tables. docs/design.md, "One descriptor per recorded
 * source", walks through adding one.
 */
#ifndef SOURCES_H
#define SOURCES_H

#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "unwind_maps.h"

#define MAX_SOURCES 8      /* entries of SOURCES, at most */
#define MAX_SOURCE_RINGS 2 /* rings of one source */

/* What pshim_open was asked for, that every source's object is set up with. */
struct source_settings {
	uint32_t self_tgid;
	int filter_by_tgid;
	int sources;                /* bit 1 << i: SOURCES[i] is on */
	unsigned long ring_bytes;   /* of the event rings: a source's first ring is this / ring_divisor */
	unsigned long wakeup_bytes; /* 0: a quarter of the ring (bpf/wakeup.h) */
	unsigned long unwind_rows;  /* 0: user stacks by frame pointers */
};

/* The sampler object's maps every source uses: one filter, one set of
 * counters, one set of unwind tables. */
struct shared_maps {
	int target_tgids_fd;
	int counters_fd;
	const struct unwind_map_set *sampler_unwind;
};

struct source {
	const char *name;
	const char *what;    /* in messages: "cannot load the scheduler BPF programs" */
	const char *needs;   /* the source it modifies (no object of its own), or NULL */
	int optional;        /* an aid the recording works without: if it cannot attach, it stays off */
	const void *(*elf_bytes)(size_t *size);
	const char *rings[MAX_SOURCE_RINGS];
	unsigned ring_divisor;
	int (*prepare)(struct bpf_object *obj, const struct source_settings *s, char *err, int errlen);
};

extern const struct source SOURCES[];
extern const int NSOURCES;

/* A source's bit in pshim_open's `sources` (1 << its index), 0 for none. */
int source_bit(const char *name);

/* Opens and loads source i's object (it has one); NULL with a one-line
 * reason in err. */
struct bpf_object *source_open(int i, const struct source_settings *set, const struct shared_maps *shared,
				  char *err, int errlen);

/* shim.c's messages: err gets the formatted text; a load failure names its cause. */
void shim_set_err(char *err, int errlen, const char *fmt, ...);
void shim_load_error(char *err, int errlen, int rc, const char *what);

#endif /* SOURCES_H */
