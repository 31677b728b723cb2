/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The threads seen in a batch (in samples or scheduler events), each listed
 * once per batch (struct prof_thread_seen, bpf/profiler.h) with its first
 * and last event time and its latest name. A generation number per batch
 * says whether a thread was already listed, so nothing is cleared between
 * batches.
 */
#ifndef THREAD_TABLE_H
#define THREAD_TABLE_H

#include <stdint.h>

struct thread_table;

struct thread_table *thread_table_new(void);
void thread_table_free(struct thread_table *t);
void thread_table_start_batch(struct thread_table *t);

/* comm: 16 bytes, or NULL to keep the name already listed. 0 or -ENOMEM. */
int thread_table_saw(struct thread_table *t, uint32_t tid, uint32_t pid, uint64_t ts, const char *comm);

uint32_t thread_table_count(const struct thread_table *t);
const void *thread_table_list(const struct thread_table *t);

#endif /* THREAD_TABLE_H */
