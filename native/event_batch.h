/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Turns the BPF records drained in one poll into what the Java recorder
 * writes, so that Java does no work per event (measured: with the
 * per-sample path in Java, running interpreted and then JIT-compiled during
 * the first seconds of every recording, recording cost twice the CPU):
 *   - each table's rows as columns (enum prof_batch_table and its columns),
 *   - each distinct raw stack once for the whole recording (stack_table.h),
 *   - the threads first seen in the batch (thread_table.h),
 *   - names first seen in the batch: interrupt handlers (name_table.h).
 * Layouts are in bpf/profiler.h.
 */
#ifndef EVENT_BATCH_H
#define EVENT_BATCH_H

#include <stddef.h>
#include <stdint.h>

struct event_batch;

struct event_batch *eb_new(void);
void eb_free(struct event_batch *b);

/* Starts a new batch: forgets the previous batch's rows, new stacks and
 * threads (the stacks and threads known so far are kept). */
void eb_reset(struct event_batch *b);

/* Adds one record of `size` bytes (any enum prof_record_kind). Returns 0,
 * -EINVAL for a record that does not decode (counted in eb_undecodable), or
 * -ENOMEM. */
int eb_add(struct event_batch *b, const void *rec, size_t size);

uint32_t eb_rows(const struct event_batch *b, int table);
uint32_t eb_total_rows(const struct event_batch *b);
void *eb_column(struct event_batch *b, int table, int column);
uint32_t eb_new_stack_count(const struct event_batch *b);
const void *eb_new_stacks(const struct event_batch *b, size_t *bytes);
uint32_t eb_new_name_count(const struct event_batch *b);
const void *eb_new_names(const struct event_batch *b, size_t *bytes);
/* The threads first seen in this batch (struct prof_thread_seen). */
uint32_t eb_thread_count(const struct event_batch *b);
/* Process lifecycle records of the batch, as received (struct prof_proc). */
uint32_t eb_proc_count(const struct event_batch *b);
const void *eb_procs(const struct event_batch *b);
const void *eb_threads(const struct event_batch *b);
/* Every thread seen so far, with its last event time and latest name. */
uint32_t eb_all_thread_count(const struct event_batch *b);
const void *eb_all_threads(const struct event_batch *b);
uint64_t eb_undecodable(const struct event_batch *b);

/* Gives the stack ids Java assigned to this batch's new stacks (in the
 * order listed), then rewrites the stack columns from raw ids to stack ids
 * and fills the samples' weight column. Once per batch. Returns 0 or
 * -EINVAL. */
int eb_commit(struct event_batch *b, const int64_t *stack_ids, uint32_t n, int64_t weight);

/* The batch tables' layout (bpf/profiler.h, PROF_BATCH_TABLES): names and
 * widths by index; NULL or -1 out of range. */
const char *eb_table_name(int table);
int eb_column_count(int table);
const char *eb_column_name(int table, int column);
int eb_column_width(int table, int column);

/* The index into PROF_TASK_STATES of a switched-out task's state, as the
 * kernel's sched_switch output computes it. */
uint32_t eb_task_state_index(uint32_t prev_state, uint32_t exit_state, int preempt);

#endif /* EVENT_BATCH_H */
