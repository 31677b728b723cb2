-- profile_stacks(what): the weighted stacks a profile is made of, one row
-- per (stack, thread, lock), for the converters (pprof, collapsed stacks):
--   what = 'cpu'     CPU samples: count, and CPU ns (their weights)
--   what = 'offcpu'  blocked intervals that ended within the capture
--                    (offcpu.sql): count, and ns blocked, by the stack they
--                    blocked in (null without --offcpu-stacks)
--   what = 'locks'   lock waits, kernel and futex (lock_time.sql's
--                    lock_waits of wait kind lock, as the locks report
--                    counts them): count, and ns waited, by the stack of
--                    the wait and the lock's name
-- Reads the same DuckDB variables as the reports: only_pid, only_tid,
-- from_ns, to_ns. An interval that straddles from_ns or to_ns counts the
-- part of it inside the range (so no thread gets more time than the range
-- holds); a sample counts if its time is inside.
-- Builds on: samples, offcpu.sql, lock_time.sql, report_scope.sql.
CREATE OR REPLACE MACRO profile_stacks(what) AS TABLE
WITH
bounds AS (
  SELECT coalesce(getvariable('from_ns'), -9223372036854775807) AS lo,
         coalesce(getvariable('to_ns'), 9223372036854775807) AS hi
),
cpu AS (
  SELECT s.stack_id, s.pid, s.tid, NULL::VARCHAR AS lock, count(*) AS count, sum(s.weight) AS weight_ns
  FROM samples s, bounds r
  WHERE what = 'cpu' AND s.ts BETWEEN r.lo AND r.hi
  GROUP BY ALL
),
intervals AS (
  SELECT stack_id, pid, tid, NULL::VARCHAR AS lock, ts_begin, ts_end FROM offcpu
  WHERE what = 'offcpu' AND NOT ends_with_capture
  UNION ALL
  SELECT stack_id, pid, tid, lock_name, ts_begin, ts_end FROM lock_waits
  WHERE what = 'locks' AND wait_kind = 'lock'
),
clipped AS (
  SELECT i.stack_id, i.pid, i.tid, i.lock, count(*) AS count,
         sum(least(i.ts_end, r.hi) - greatest(i.ts_begin, r.lo)) AS weight_ns
  FROM intervals i, bounds r
  WHERE i.ts_end >= r.lo AND i.ts_begin <= r.hi
  GROUP BY ALL
)
SELECT
  stack_id,                               -- stacks.stack_id (null: not recorded)
  pid,                                    -- process
  tid,                                    -- thread
  lock,                                   -- locks: the lock waited for (lock_waits.lock_name); else null
  count,                                  -- samples, blocked intervals or waits
  weight_ns                               -- ns: CPU, blocked or waited
FROM (SELECT * FROM cpu UNION ALL SELECT * FROM clipped)
WHERE in_report_threads(pid, tid);
