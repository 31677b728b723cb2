-- spin_stacks: the stacks of samples taken while a CPU spun on a lock,
-- with the spinning function nearest the leaf.
-- Builds on: stack_frames.sql.
-- Spinlock slow paths (queued_spin_lock_slowpath and its native_/__pv_
-- variants, resilient_queued_spin_lock_slowpath: the rqspinlock of BPF
-- maps and ring buffers, virt_spin_lock in guests without paravirtual
-- spinlocks), rwlock slow paths, and the optimistic spinning of mutexes and
-- rwsems (osq_lock, *_spin_on_owner).
CREATE OR REPLACE VIEW spin_stacks AS
SELECT stack_id, arg_min(name, depth) AS spin_function
FROM stack_frames
WHERE is_kernel AND (
     name LIKE '%spin_lock_slowpath'
  OR name LIKE '%res_spin_lock%'
  OR name IN ('resilient_tas_spin_lock', 'virt_spin_lock', 'osq_lock', 'rwsem_optimistic_spin',
              'queued_read_lock_slowpath', 'queued_write_lock_slowpath', 'do_raw_spin_lock')
  OR name LIKE '%spin_on_owner')
GROUP BY stack_id;
