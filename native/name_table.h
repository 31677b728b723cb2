/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interns short names (interrupt handler names, softirq vector names) to
 * dense ids for the whole recording, and lists each new one once per batch
 * (struct prof_name_def, bpf/profiler.h), so Java turns an id into its
 * dictionary index once. A machine has a few dozen such names: a linear
 * search is enough.
 */
#ifndef NAME_TABLE_H
#define NAME_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct name_table;

struct name_table *name_table_new(void);
void name_table_free(struct name_table *t);
void name_table_start_batch(struct name_table *t);

/* Id of name (at most max bytes, stops at NUL), listed as new if it is;
 * -1 for an empty name, -ENOMEM. */
int32_t name_table_intern(struct name_table *t, const char *name, size_t max);

uint32_t name_table_new_count(const struct name_table *t);
const void *name_table_new_defs(const struct name_table *t, size_t *bytes);

#endif /* NAME_TABLE_H */
