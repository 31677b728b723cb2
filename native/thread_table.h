/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every thread seen in the recording (in samples, scheduler events or
 * process events), kept in C for the whole recording with its first and
 * last event time and its latest name (struct prof_thread_seen,
 * bpf/profiler.h). A batch lists only the threads new in it, so Java runs
 * no code for a thread it already knows; it reads every thread's last time
 * and name once, at the stop (thread_table_all).
 *
 * A tid seen again under another pid (reused after its thread exited) is a
 * new thread: a new entry, listed again. The older entry stays in the
 * whole list, where a later entry of the same tid supersedes it.
 */
#ifndef THREAD_TABLE_H
#define THREAD_TABLE_H

#include <stdint.h>

struct thread_table;

struct thread_table *thread_table_new(void);
void thread_table_free(struct thread_table *t);
/* Starts a new batch: the threads listed so far are no longer new. */
void thread_table_start_batch(struct thread_table *t);

/* comm: 16 bytes, or NULL to keep the name already known. 0 or -ENOMEM. */
int thread_table_saw(struct thread_table *t, uint32_t tid, uint32_t pid, uint64_t ts, const char *comm);

/* The threads first seen in this batch, in the order they were first seen. */
uint32_t thread_table_count(const struct thread_table *t);
const void *thread_table_list(const struct thread_table *t);

/* Every entry of the recording so far, in the order first seen. */
uint32_t thread_table_all_count(const struct thread_table *t);
const void *thread_table_all(const struct thread_table *t);

#endif /* THREAD_TABLE_H */
