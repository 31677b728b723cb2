/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Turns the sampler's raw records into what the Java recorder writes, so
 * that Java does no work per sample (measured: the per-sample Java path,
 * run interpreted and then compiled during the first seconds of every
 * recording, was most of what recording added to a job):
 *   - the samples as columns (struct layout: enum prof_sample_column),
 *   - each distinct raw stack (pid + addresses) once, with a dense raw id,
 *   - the threads seen in the batch, with first/last sample time and name.
 * Layouts are in bpf/profiler.h.
 */
#ifndef SAMPLE_BATCH_H
#define SAMPLE_BATCH_H

#include <stddef.h>
#include <stdint.h>

struct sample_batch;

struct sample_batch *sb_new(void);
void sb_free(struct sample_batch *b);

/* Starts a new batch: forgets the previous batch's rows, new stacks and
 * threads (the stacks and threads known so far are kept). */
void sb_reset(struct sample_batch *b);

/* Adds one struct prof_sample of `size` bytes. Returns 0, -EINVAL for a
 * record that does not decode (counted in sb_undecodable), or -ENOMEM. */
int sb_add(struct sample_batch *b, const void *rec, size_t size);

uint32_t sb_rows(const struct sample_batch *b);
void *sb_column(struct sample_batch *b, int column);
uint32_t sb_new_stack_count(const struct sample_batch *b);
const void *sb_new_stacks(const struct sample_batch *b, size_t *bytes);
uint32_t sb_thread_count(const struct sample_batch *b);
const void *sb_threads(const struct sample_batch *b);
uint64_t sb_undecodable(const struct sample_batch *b);

/* Gives the stack ids Java assigned to this batch's new stacks (in the
 * order reported), then rewrites the stack column from raw ids to stack
 * ids and fills the weight column. Returns 0 or -EINVAL if n is wrong. */
int sb_commit(struct sample_batch *b, const int64_t *stack_ids, uint32_t n, int64_t weight);

#endif /* SAMPLE_BATCH_H */
