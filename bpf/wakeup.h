/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When a BPF program wakes the consumer of its ring buffer. Not a record
 * layout (those are in profiler.h): a rule every program shares.
 *
 * Records are submitted with BPF_RB_NO_WAKEUP; the consumer polls with a
 * 1 s timeout and drains everything. Only a record that makes the pending
 * data cross a multiple of `wakeup_bytes` (a quarter of the ring, set by
 * the shim) forces a wakeup, so a storm that keeps the ring filling wakes
 * the consumer once per quarter, not once per record: measured on a pipe
 * ping-pong, waking at every record past the mark made the consumer poll
 * thousands of times a second for tiny batches.
 *
 * Every quarter, not only the first: two CPUs that read the pending bytes
 * before either reserves can both see the ring below the mark and leave it
 * above, and nobody wakes the consumer. Two CPUs switching 350k times a
 * second missed it often enough to fill a 16 MB ring before the 1 s poll.
 *
 * pending: bytes waiting in the ring, this record included.
 */
#ifndef WAKEUP_H
#define WAKEUP_H

static __always_inline __u64 wake_flags_for(__u64 pending, __u64 size, __u64 mark)
{
	return pending / mark != (pending - size) / mark ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#endif /* WAKEUP_H */
