/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "profiler.h"
#include "name_table.h"

struct name_table {
	char **names;
	uint32_t count, cap;
	uint32_t first_new;
	char *defs;
	size_t defs_len, defs_cap;
};

struct name_table *name_table_new(void) { return calloc(1, sizeof(struct name_table)); }

void name_table_free(struct name_table *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->count; i++)
		free(t->names[i]);
	free(t->names);
	free(t->defs);
	free(t);
}

void name_table_start_batch(struct name_table *t)
{
	t->first_new = t->count;
	t->defs_len = 0;
}

int32_t name_table_intern(struct name_table *t, const char *name, size_t max)
{
	size_t len = strnlen(name, max);
	if (len == 0)
		return -1;
	for (uint32_t i = 0; i < t->count; i++)
		if (strlen(t->names[i]) == len && !memcmp(t->names[i], name, len))
			return i;
	if (t->count == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 32;
		char **n = realloc(t->names, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->names = n;
		t->cap = cap;
	}
	size_t def_bytes = (sizeof(struct prof_name_def) + len + 7) & ~(size_t)7;
	if (t->defs_len + def_bytes > t->defs_cap) {
		size_t cap = t->defs_cap ? t->defs_cap * 2 : 1024;
		while (cap < t->defs_len + def_bytes)
			cap *= 2;
		char *d = realloc(t->defs, cap);
		if (!d)
			return -ENOMEM;
		t->defs = d;
		t->defs_cap = cap;
	}
	char *copy = strndup(name, len);
	if (!copy)
		return -ENOMEM;
	uint32_t id = t->count++;
	t->names[id] = copy;
	struct prof_name_def def = { .id = id, .len = len };
	memset(t->defs + t->defs_len, 0, def_bytes);
	memcpy(t->defs + t->defs_len, &def, sizeof(def));
	memcpy(t->defs + t->defs_len + sizeof(def), name, len);
	t->defs_len += def_bytes;
	return id;
}

uint32_t name_table_new_count(const struct name_table *t) { return t->count - t->first_new; }

const void *name_table_new_defs(const struct name_table *t, size_t *bytes)
{
	*bytes = t->defs_len;
	return t->defs;
}
