/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When a BPF program wakes the consumer of its ring buffer. Not a record
 * layout (those are in profiler.h): a rule every program shares.
 *
 * Records are submitted with BPF_RB_NO_WAKEUP; the consumer polls with a
 * 1 s timeout and drains everything. Only the record that makes the
 * pending data cross `wakeup_bytes` (a quarter of the ring, set by the
 * shim) forces a wakeup, so a storm that keeps the ring above the mark
 * wakes the consumer once per crossing, not once per record: measured on a
 * pipe ping-pong, waking at every record past the mark made the consumer
 * poll thousands of times a second for tiny batches.
 *
 * pending: bytes waiting in the ring, this record included.
 */
#ifndef WAKEUP_H
#define WAKEUP_H

static __always_inline __u64 wake_flags_for(__u64 pending, __u64 size, __u64 mark)
{
	return pending >= mark && pending - size < mark ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#endif /* WAKEUP_H */
