/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Open addressing over a 128-bit fingerprint of each raw stack (XXH3 of
 * its addresses, seeded with its pid and lengths). Only the fingerprint is
 * kept: the addresses are handed to Java once, in the batch that first
 * sees them. Keeping every stack's addresses cost ~350 bytes a stack, most
 * of the recorder's malloc'd memory in a build (101k stacks in 20 s at
 * 4999 Hz); a fingerprint costs 16. Two different stacks with one 128-bit
 * fingerprint: ~n^2 / 2^129, about 1e-27 for a billion stacks. (The
 * OpenTelemetry eBPF profiler keys its traces by a 128-bit hash the same way.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#define XXH_INLINE_ALL /* header-only: the shim links no libxxhash */
#include <xxhash.h>
#include "profiler.h"
#include "stack_table.h"

struct stack_table {
	XXH128_hash_t *fingerprints; /* raw id -> fingerprint */
	int64_t *ids;                /* raw id -> stack_id given by Java */
	size_t count, cap;
	uint32_t *slots; /* raw id + 1; 0 = empty */
	uint32_t slot_mask;
	uint32_t first_new; /* raw id of the batch's first new stack */
	char *defs;         /* struct prof_stack_def records of new stacks */
	size_t defs_len, defs_cap;
};

static int grow(void **p, size_t elem, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *np = realloc(*p, c * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = c;
	return 0;
}

struct stack_table *stack_table_new(void)
{
	struct stack_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slot_mask = 4095;
	t->slots = calloc(t->slot_mask + 1, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void stack_table_free(struct stack_table *t)
{
	if (!t)
		return;
	free(t->fingerprints);
	free(t->ids);
	free(t->slots);
	free(t->defs);
	free(t);
}

void stack_table_start_batch(struct stack_table *t)
{
	t->first_new = t->count;
	t->defs_len = 0;
}

static int rehash(struct stack_table *t)
{
	uint32_t mask = t->slot_mask * 2 + 1;
	uint32_t *slots = calloc((size_t)mask + 1, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (uint32_t id = 0; id < t->count; id++) {
		uint32_t i = t->fingerprints[id].low64 & mask;
		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->slot_mask = mask;
	return 0;
}

int64_t stack_table_intern(struct stack_table *t, uint32_t pid, uint16_t kn, uint16_t un, const uint64_t *ips,
			   uint32_t flags)
{
	uint32_t n = kn + un;
	uint64_t head = (uint64_t)pid | (uint64_t)kn << 32 | (uint64_t)un << 48;
	XXH128_hash_t h = XXH3_128bits_withSeed(ips, n * 8ull, head);

	uint32_t i = h.low64 & t->slot_mask;
	for (; t->slots[i]; i = (i + 1) & t->slot_mask)
		if (XXH128_isEqual(t->fingerprints[t->slots[i] - 1], h))
			return t->slots[i] - 1;

	uint32_t id = t->count;
	size_t def_bytes = sizeof(struct prof_stack_def) + n * 8ull;
	size_t cap = t->cap;
	if (grow((void **)&t->fingerprints, sizeof(*t->fingerprints), &cap, id + 1) ||
	    grow((void **)&t->defs, 1, &t->defs_cap, t->defs_len + def_bytes))
		return -ENOMEM;
	if (cap != t->cap) {
		int64_t *ids = realloc(t->ids, cap * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		t->ids = ids;
		t->cap = cap;
	}
	t->fingerprints[id] = h;
	t->ids[id] = -1;
	t->slots[i] = id + 1;
	t->count++;

	struct prof_stack_def def = { .raw_id = id, .pid = pid, .kstack_len = kn, .ustack_len = un, .flags = flags };
	memcpy(t->defs + t->defs_len, &def, sizeof(def));
	memcpy(t->defs + t->defs_len + sizeof(def), ips, n * 8ull);
	t->defs_len += def_bytes;

	if (t->count * 2 > t->slot_mask && rehash(t))
		return -ENOMEM;
	return id;
}

uint32_t stack_table_new_count(const struct stack_table *t) { return t->count - t->first_new; }

const void *stack_table_new_defs(const struct stack_table *t, size_t *bytes)
{
	*bytes = t->defs_len;
	return t->defs;
}

int stack_table_set_ids(struct stack_table *t, const int64_t *ids, uint32_t n)
{
	if (n != t->count - t->first_new)
		return -EINVAL;
	if (n)
		memcpy(&t->ids[t->first_new], ids, n * sizeof(*ids));
	return 0;
}

int64_t stack_table_id(const struct stack_table *t, int64_t raw)
{
	return raw >= 0 && (size_t)raw < t->count ? t->ids[raw] : -1;
}
