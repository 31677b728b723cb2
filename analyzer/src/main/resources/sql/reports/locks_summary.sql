-- locks_summary: the headline of the locks report.
-- Builds on: lock_time.sql, report_scope.sql (the settings of reports/locks.sql).
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
  arg_max(share_pct, (total_wait_ns, lock)) AS top_share_pct,  -- % of their recorded time
  -- futex waits not counted as lock waits, by kind (the same filters)
  (SELECT string_agg(n || ' ' || wait_kind || ' (' || printf('%.1f', ns / 1e6) || ' ms)', ', ' ORDER BY ns DESC, wait_kind)
   FROM (SELECT wait_kind, count(*) AS n, sum(wait_ns) AS ns FROM lock_waits
         WHERE wait_kind <> 'lock' AND in_report_threads(pid, tid) AND in_report_range(ts_begin, ts_end)
         GROUP BY wait_kind)) AS not_locks  -- e.g. '120 futex-wait (5300.2 ms), 4 idle (812.0 ms)'
FROM l;
