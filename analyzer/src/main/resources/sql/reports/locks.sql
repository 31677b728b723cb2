-- locks: the locks report, most waited-for lock first.
-- Builds on: lock_time.sql.
-- Settings (see reports/stalls.sql): only_pid, only_tid, from_ns, to_ns.
SELECT
  lock,                                                      -- lock (symbol / futex address and call site)
  lock_type AS type,                                         -- spinlock | mutex | rwsem | futex | ...
  waits,                                                     -- count
  waiters,                                                   -- threads
  printf('%.1f', total_wait_ns / 1e6) AS total_ms,           -- all waits
  printf('%.1f', max_wait_ns / 1e6) AS max_ms,               -- longest wait
  printf('%.1f', p99_wait_ns / 1e6) AS p99_ms,               -- 99th percentile
  printf('%.1f', spin_ns / 1e6) AS spin_ms,                  -- on a CPU while waiting
  CASE WHEN blocked_ns IS NOT NULL THEN printf('%.1f', blocked_ns / 1e6) END AS blocked_ms,  -- off CPU while waiting
  share_pct,                                                 -- % of the waiters' recorded time
  top_waiters,                                               -- who waited longest
  top_stack                                                  -- where they waited
FROM lock_time(only_pid := getvariable('only_pid'), only_tid := getvariable('only_tid'),
               from_ns := getvariable('from_ns'), to_ns := getvariable('to_ns'))
ORDER BY total_wait_ns DESC
LIMIT 30;
