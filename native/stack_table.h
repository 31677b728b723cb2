/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interns raw stacks (pid + kernel and user addresses) to dense raw ids for
 * the whole recording, and lists each new one once (struct prof_stack_def,
 * bpf/profiler.h) so Java symbolizes it once. Java gives back the stack_id
 * it chose for each; stack_table_id() then maps raw id -> stack_id.
 */
#ifndef STACK_TABLE_H
#define STACK_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct stack_table;

struct stack_table *stack_table_new(void);
void stack_table_free(struct stack_table *t);

/* Forgets the list of new stacks (they were handed over). */
void stack_table_start_batch(struct stack_table *t);

/* Raw id of (pid, ips), listed as new if it is, with `flags`
 * (PROF_STACK_F_*); -ENOMEM. ips: kn kernel then un user addresses. */
int64_t stack_table_intern(struct stack_table *t, uint32_t pid, uint16_t kn, uint16_t un, const uint64_t *ips,
			   uint32_t flags);

uint32_t stack_table_new_count(const struct stack_table *t);
const void *stack_table_new_defs(const struct stack_table *t, size_t *bytes);

/* Sets the stack ids of the stacks listed since the batch started (n must
 * be stack_table_new_count). Returns 0 or -EINVAL. */
int stack_table_set_ids(struct stack_table *t, const int64_t *ids, uint32_t n);

/* stack_id of a raw id (-1 if not given yet). */
int64_t stack_table_id(const struct stack_table *t, int64_t raw);

#endif /* STACK_TABLE_H */
