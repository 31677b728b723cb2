-- locks_summary: the headline of the locks report.
-- Builds on: lock_time.sql (the settings of reports/locks.sql).
WITH l AS (
  SELECT * FROM lock_time(only_pid := getvariable('only_pid'), only_tid := getvariable('only_tid'),
                          from_ns := getvariable('from_ns'), to_ns := getvariable('to_ns'))
)
SELECT
  count(*) AS locks,                               -- locks waited for
  coalesce(sum(waits), 0) AS waits,                -- count
  coalesce(sum(total_wait_ns), 0) AS total_wait_ns,  -- ns
  arg_max(lock, (total_wait_ns, lock)) AS top_lock,  -- the lock waited for longest (of equals, by name)
  max(total_wait_ns) AS top_wait_ns,               -- ns
  arg_max(waiters, (total_wait_ns, lock)) AS top_waiters,  -- threads that waited for it
  arg_max(share_pct, (total_wait_ns, lock)) AS top_share_pct  -- % of their recorded time
FROM l;
