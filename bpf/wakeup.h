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
 * A record's step is its size plus the ring's 8-byte header, rounded up
 * to 8 (ring_bytes): counted without the header, a mark that fell in a
 * header crossed unseen (~1 in 10 for a 72-byte switch record). And every
 * quarter, not only the first: two CPUs that read the pending bytes before
 * either reserves can both see the ring below the mark and leave it above.
 * Either way nobody woke the consumer; two CPUs switching 350k times a
 * second left a 16 MB ring to the 1 s poll often enough to lose 25%.
 *
 * pending: bytes waiting in the ring, this record (and its header) included.
 */
#ifndef WAKEUP_H
#define WAKEUP_H

/* Bytes a record of `size` takes in a ring: an 8-byte header, rounded up to 8. */
static __always_inline __u64 ring_bytes(__u64 size)
{
	return (size + 8 + 7) & ~7ull;
}

static __always_inline __u64 wake_flags_for(__u64 pending, __u64 size, __u64 mark)
{
	__u64 step = ring_bytes(size);
	return pending / mark != (pending - step) / mark ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#endif /* WAKEUP_H */
