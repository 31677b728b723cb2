/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drains the BPF ring buffers on a thread of its own, into a staging
 * buffer in user space, so the rings empty while Java is busy with the
 * last batch (symbolizing new stacks, writing a flush: up to ~250 ms in a
 * build). Before, the rings had to hold everything written during Java's
 * slowest batch; now they hold what comes while this thread is not
 * scheduled. The thread wakes only when the BPF side wakes the rings (a
 * quarter full, an exec), as the consumer did before.
 *
 * Java's poll takes the staged records (after one more drain of its own,
 * for what has not woken anyone yet) and decodes them in the order they
 * were drained: every drain reads the event rings, then the sample ring,
 * then the event rings again, and is staged whole, so an exec is never
 * handed over after the samples of the image it started.
 */
#ifndef DRAIN_H
#define DRAIN_H

#include <stddef.h>

struct drain;

/* Called for each staged record, in order; non-zero stops the walk. */
typedef int (*drain_record_fn)(void *ctx, const void *data, size_t size);

/* stage_limit: staged bytes past which the thread stops draining (the
 * rings then fill, and the BPF side counts what it cannot write). */
struct drain *drain_new(size_t stage_limit);

/* Adds a ring (a BPF_MAP_TYPE_RINGBUF fd): the sample ring, or an event ring. */
int drain_add_ring(struct drain *d, int map_fd, int is_sample_ring);

/* Starts the thread. wakefd: an eventfd that also ends drain_wait. */
int drain_start(struct drain *d, int wakefd);

/* Waits up to timeout_ms until the thread staged records or wakefd was written. */
int drain_wait(struct drain *d, int timeout_ms);

/* Drains the rings once more, then hands every staged record to fn in
 * order and forgets them. Returns 0, fn's non-zero or a negative errno. */
int drain_take(struct drain *d, drain_record_fn fn, void *ctx);

/* Stops and joins the thread, frees the rings. NULL is fine. */
void drain_free(struct drain *d);

#endif /* DRAIN_H */
