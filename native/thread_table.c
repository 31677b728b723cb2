/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "profiler.h"
#include "thread_table.h"

/* An open-addressing index by tid into the entries (one slot per tid: its
 * current entry). */
struct slot {
	uint32_t tid;
	uint32_t used;
	uint32_t idx; /* its current entry in all[] */
};

struct thread_table {
	struct slot *slots;
	uint32_t mask, used;
	struct prof_thread_seen *all; /* entries in the order first seen */
	uint32_t nall, cap;
	uint32_t batch_start;         /* all[batch_start..nall): new in this batch */
};

static uint32_t hash32(uint32_t v)
{
	uint64_t h = v * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

struct thread_table *thread_table_new(void)
{
	struct thread_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->mask = 1023;
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void thread_table_free(struct thread_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->all);
	free(t);
}

void thread_table_start_batch(struct thread_table *t) { t->batch_start = t->nall; }

static int rehash(struct thread_table *t)
{
	uint32_t mask = t->mask * 2 + 1;
	struct slot *s = calloc((size_t)mask + 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (uint32_t j = 0; j <= t->mask; j++) {
		if (!t->slots[j].used)
			continue;
		uint32_t i = hash32(t->slots[j].tid) & mask;
		while (s[i].used)
			i = (i + 1) & mask;
		s[i] = t->slots[j];
	}
	free(t->slots);
	t->slots = s;
	t->mask = mask;
	return 0;
}

int thread_table_saw(struct thread_table *t, uint32_t tid, uint32_t pid, uint64_t ts, const char *comm)
{
	uint32_t i = hash32(tid) & t->mask;
	while (t->slots[i].used && t->slots[i].tid != tid)
		i = (i + 1) & t->mask;
	struct slot *s = &t->slots[i];
	if (s->used && t->all[s->idx].pid == pid) {
		struct prof_thread_seen *e = &t->all[s->idx];
		if (ts < e->first_ts)
			e->first_ts = ts;
		if (ts > e->last_ts)
			e->last_ts = ts;
		if (comm)
			memcpy(e->comm, comm, sizeof(e->comm));
		return 0;
	}
	if (t->nall == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 256;
		void *p = realloc(t->all, (size_t)cap * sizeof(*t->all));
		if (!p)
			return -ENOMEM;
		t->all = p;
		t->cap = cap;
	}
	struct prof_thread_seen *e = &t->all[t->nall];
	*e = (struct prof_thread_seen){ .tid = tid, .pid = pid, .first_ts = ts, .last_ts = ts };
	if (comm)
		memcpy(e->comm, comm, sizeof(e->comm));
	if (!s->used) {
		s->used = 1;
		s->tid = tid;
		t->used++;
	}
	s->idx = t->nall++;
	if (t->used * 2 > t->mask)
		return rehash(t);
	return 0;
}

uint32_t thread_table_count(const struct thread_table *t) { return t->nall - t->batch_start; }

const void *thread_table_list(const struct thread_table *t) { return t->all + t->batch_start; }

uint32_t thread_table_all_count(const struct thread_table *t) { return t->nall; }

const void *thread_table_all(const struct thread_table *t) { return t->all; }
