/* SPDX-License-Identifier: Apache-2.0 */
/*
 * See sample_batch.h. Two open-addressing hash tables: raw stacks (kept for
 * the whole recording: a stack is reported to Java once) and threads (a
 * generation number per batch says whether a thread was already seen in
 * this batch, so nothing is cleared between batches).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "profiler.h"
#include "sample_batch.h"

struct stack_entry {
	uint64_t hash;
	size_t key_off;     /* into keys[], in words */
	uint32_t key_words; /* header word + addresses */
};

struct thread_slot {
	uint32_t tid;
	uint32_t used;
	uint32_t gen;      /* batch in which seen_idx is valid */
	uint32_t seen_idx; /* its entry in seen[] */
};

struct sample_batch {
	/* interned raw stacks; raw id = index into stacks[] */
	uint64_t *keys;
	size_t keys_len, keys_cap;
	struct stack_entry *stacks;
	int64_t *stack_ids; /* raw id -> stack id given by Java */
	uint32_t nstacks, stacks_cap;
	uint32_t *slots; /* raw id + 1; 0 = empty */
	uint32_t slot_mask;
	uint32_t first_new; /* raw id of this batch's first new stack */
	char *new_stacks;
	size_t new_len, new_cap;

	/* threads seen, per batch */
	struct thread_slot *threads;
	uint32_t thread_mask, nthreads;
	uint32_t gen;
	struct prof_thread_seen *seen;
	uint32_t nseen, seen_cap;

	/* sample columns */
	uint64_t *ts;
	uint32_t *cpu, *pid, *tid;
	int64_t *stack, *weight;
	uint32_t rows, rows_cap;
	int committed;

	uint64_t undecodable;
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

static int grow32(void **p, size_t elem, uint32_t *cap, size_t need)
{
	size_t c = *cap;
	int rc = grow(p, elem, &c, need);
	*cap = (uint32_t)c;
	return rc;
}

static uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

struct sample_batch *sb_new(void)
{
	struct sample_batch *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->slot_mask = 4095;
	b->slots = calloc(b->slot_mask + 1, sizeof(*b->slots));
	b->thread_mask = 1023;
	b->threads = calloc(b->thread_mask + 1, sizeof(*b->threads));
	if (!b->slots || !b->threads) {
		sb_free(b);
		return NULL;
	}
	b->gen = 1;
	return b;
}

void sb_free(struct sample_batch *b)
{
	if (!b)
		return;
	free(b->keys);
	free(b->stacks);
	free(b->stack_ids);
	free(b->slots);
	free(b->new_stacks);
	free(b->threads);
	free(b->seen);
	free(b->ts);
	free(b->cpu);
	free(b->pid);
	free(b->tid);
	free(b->stack);
	free(b->weight);
	free(b);
}

void sb_reset(struct sample_batch *b)
{
	b->rows = 0;
	b->new_len = 0;
	b->first_new = b->nstacks;
	b->nseen = 0;
	b->gen++;
	b->committed = 0;
}

static int rehash_stacks(struct sample_batch *b)
{
	uint32_t mask = b->slot_mask * 2 + 1;
	uint32_t *slots = calloc(mask + 1, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (uint32_t id = 0; id < b->nstacks; id++) {
		uint32_t i = b->stacks[id].hash & mask;
		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = id + 1;
	}
	free(b->slots);
	b->slots = slots;
	b->slot_mask = mask;
	return 0;
}

/* Returns the raw id of (pid, ips), reporting it as new if it is; -ENOMEM. */
static int64_t intern_stack(struct sample_batch *b, uint32_t pid, uint16_t kn, uint16_t un, const __u64 *ips)
{
	uint32_t n = kn + un;
	uint64_t head = (uint64_t)pid | (uint64_t)kn << 32 | (uint64_t)un << 48;
	uint64_t h = mix(0, head);
	for (uint32_t i = 0; i < n; i++)
		h = mix(h, ips[i]);

	uint32_t i = h & b->slot_mask;
	for (; b->slots[i]; i = (i + 1) & b->slot_mask) {
		struct stack_entry *e = &b->stacks[b->slots[i] - 1];
		if (e->hash == h && e->key_words == n + 1 && b->keys[e->key_off] == head &&
		    !memcmp(&b->keys[e->key_off + 1], ips, n * 8ull))
			return b->slots[i] - 1;
	}

	uint32_t id = b->nstacks;
	size_t new_bytes = sizeof(struct prof_stack_def) + n * 8ull;
	if (grow((void **)&b->keys, 8, &b->keys_cap, b->keys_len + n + 1) ||
	    grow32((void **)&b->stacks, sizeof(*b->stacks), &b->stacks_cap, id + 1) ||
	    grow((void **)&b->new_stacks, 1, &b->new_cap, b->new_len + new_bytes))
		return -ENOMEM;
	/* stack_ids has the same capacity as stacks */
	int64_t *ids = realloc(b->stack_ids, (size_t)b->stacks_cap * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	b->stack_ids = ids;
	b->stack_ids[id] = -1;

	b->stacks[id] = (struct stack_entry){ .hash = h, .key_off = b->keys_len, .key_words = n + 1 };
	b->keys[b->keys_len] = head;
	memcpy(&b->keys[b->keys_len + 1], ips, n * 8ull);
	b->keys_len += n + 1;
	b->slots[i] = id + 1;
	b->nstacks++;

	struct prof_stack_def def = { .raw_id = id, .pid = pid, .kstack_len = kn, .ustack_len = un };
	memcpy(b->new_stacks + b->new_len, &def, sizeof(def));
	memcpy(b->new_stacks + b->new_len + sizeof(def), ips, n * 8ull);
	b->new_len += new_bytes;

	if (b->nstacks * 2 > b->slot_mask && rehash_stacks(b))
		return -ENOMEM;
	return id;
}

static int rehash_threads(struct sample_batch *b)
{
	uint32_t mask = b->thread_mask * 2 + 1;
	struct thread_slot *t = calloc(mask + 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (uint32_t j = 0; j <= b->thread_mask; j++) {
		if (!b->threads[j].used)
			continue;
		uint32_t i = mix(0, b->threads[j].tid) & mask;
		while (t[i].used)
			i = (i + 1) & mask;
		t[i] = b->threads[j];
	}
	free(b->threads);
	b->threads = t;
	b->thread_mask = mask;
	return 0;
}

static int saw_thread(struct sample_batch *b, const struct prof_sample *s)
{
	uint32_t i = mix(0, s->tid) & b->thread_mask;
	while (b->threads[i].used && b->threads[i].tid != s->tid)
		i = (i + 1) & b->thread_mask;
	struct thread_slot *t = &b->threads[i];
	if (t->used && t->gen == b->gen && b->seen[t->seen_idx].pid == s->pid) {
		struct prof_thread_seen *e = &b->seen[t->seen_idx];
		e->last_ts = s->ts;
		memcpy(e->comm, s->comm, sizeof(e->comm));
		return 0;
	}
	if (grow32((void **)&b->seen, sizeof(*b->seen), &b->seen_cap, b->nseen + 1))
		return -ENOMEM;
	struct prof_thread_seen *e = &b->seen[b->nseen];
	*e = (struct prof_thread_seen){ .tid = s->tid, .pid = s->pid, .first_ts = s->ts, .last_ts = s->ts };
	memcpy(e->comm, s->comm, sizeof(e->comm));
	if (!t->used) {
		t->used = 1;
		t->tid = s->tid;
		b->nthreads++;
	}
	t->gen = b->gen;
	t->seen_idx = b->nseen++;
	if (b->nthreads * 2 > b->thread_mask)
		return rehash_threads(b);
	return 0;
}

static int grow_rows(struct sample_batch *b, uint32_t need)
{
	if (need <= b->rows_cap)
		return 0;
	uint32_t c = b->rows_cap ? b->rows_cap * 2 : 4096;
	while (c < need)
		c *= 2;
	void *p;
#define GROW_COL(col) \
	if (!(p = realloc(b->col, (size_t)c * sizeof(*b->col)))) return -ENOMEM; \
	b->col = p;
	GROW_COL(ts) GROW_COL(cpu) GROW_COL(pid) GROW_COL(tid) GROW_COL(stack) GROW_COL(weight)
#undef GROW_COL
	b->rows_cap = c;
	return 0;
}

int sb_add(struct sample_batch *b, const void *rec, size_t size)
{
	const struct prof_sample *s = rec;
	if (size < sizeof(*s) || s->kind != PROF_REC_SAMPLE || s->kstack_len > PROF_MAX_FRAMES ||
	    s->ustack_len > PROF_MAX_FRAMES || sizeof(*s) + 8ull * (s->kstack_len + s->ustack_len) > size) {
		b->undecodable++;
		return -EINVAL;
	}
	if (grow_rows(b, b->rows + 1))
		return -ENOMEM;
	int64_t id = intern_stack(b, s->pid, s->kstack_len, s->ustack_len, s->ips);
	if (id < 0 || saw_thread(b, s))
		return -ENOMEM;
	uint32_t r = b->rows++;
	b->ts[r] = s->ts;
	b->cpu[r] = s->cpu;
	b->pid[r] = s->pid;
	b->tid[r] = s->tid;
	b->stack[r] = id;
	return 0;
}

int sb_commit(struct sample_batch *b, const int64_t *stack_ids, uint32_t n, int64_t weight)
{
	if (b->committed || n != b->nstacks - b->first_new)
		return -EINVAL;
	b->committed = 1;
	memcpy(&b->stack_ids[b->first_new], stack_ids, n * sizeof(*stack_ids));
	for (uint32_t r = 0; r < b->rows; r++) {
		b->stack[r] = b->stack_ids[b->stack[r]];
		b->weight[r] = weight;
	}
	return 0;
}

uint32_t sb_rows(const struct sample_batch *b) { return b->rows; }

void *sb_column(struct sample_batch *b, int column)
{
	switch (column) {
	case PROF_COL_TS: return b->ts;
	case PROF_COL_CPU: return b->cpu;
	case PROF_COL_PID: return b->pid;
	case PROF_COL_TID: return b->tid;
	case PROF_COL_STACK_ID: return b->stack;
	case PROF_COL_WEIGHT: return b->weight;
	default: return NULL;
	}
}

uint32_t sb_new_stack_count(const struct sample_batch *b) { return b->nstacks - b->first_new; }

const void *sb_new_stacks(const struct sample_batch *b, size_t *bytes)
{
	*bytes = b->new_len;
	return b->new_stacks;
}

uint32_t sb_thread_count(const struct sample_batch *b) { return b->nseen; }

const void *sb_threads(const struct sample_batch *b) { return b->seen; }

uint64_t sb_undecodable(const struct sample_batch *b) { return b->undecodable; }
