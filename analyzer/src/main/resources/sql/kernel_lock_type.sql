-- kernel_lock_type(flags): the kind of kernel lock a lock_contention row
-- waited for, from its LCB_F_* flags (include/trace/events/lock.h).
-- Builds on: nothing.
CREATE OR REPLACE MACRO kernel_lock_type(flags) AS
  CASE
    WHEN flags & 32 <> 0 THEN 'mutex'                   -- LCB_F_MUTEX
    WHEN flags & 8 <> 0 THEN 'rtmutex'                  -- LCB_F_RT
    WHEN flags & 16 <> 0 THEN 'percpu-rwsem'            -- LCB_F_PERCPU
    WHEN flags & 1 <> 0 AND flags & 6 <> 0 THEN 'rwlock'  -- LCB_F_SPIN with READ or WRITE
    WHEN flags & 1 <> 0 THEN 'spinlock'                 -- LCB_F_SPIN
    WHEN flags & 6 <> 0 THEN 'rwsem'                    -- LCB_F_READ / LCB_F_WRITE
    ELSE 'other'
  END;
