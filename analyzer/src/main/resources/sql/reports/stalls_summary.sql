-- stalls_summary: the headline of the stalls report: how many of each
-- kind, and the longest stall with its cause.
-- Builds on: reports/stalls.sql (the same settings), stalls.sql, offcpu.sql, report_scope.sql, capture_info.
WITH s AS (
  SELECT * FROM stalls(threshold_ns := coalesce(getvariable('threshold_ns'), 50000000),
            include_idle := coalesce(getvariable('include_idle'), false))
  WHERE (in_report_threads(pid, tid) OR kind = 'freeze') AND in_report_range(ts_begin, ts_end)
)
SELECT
  (SELECT count(*) FROM s) AS stalls,                                          -- count
  coalesce(getvariable('threshold_ns'), 50000000) AS threshold_ns,             -- ns
  (SELECT end_ns - start_ns FROM capture_info) AS capture_ns,                  -- ns
  (SELECT string_agg(n || ' ' || kind, ', ' ORDER BY n DESC, kind)
   FROM (SELECT kind, count(*) AS n FROM s GROUP BY kind)) AS by_kind,         -- e.g. '3 freeze, 1 runqueue'
  (SELECT arg_max(kind, (dur_ns, -ts_begin, kind)) FROM s) AS longest_kind,   -- kind of the longest (the first, of equals)
  (SELECT max(dur_ns) FROM s) AS longest_ns,                                   -- ns
  (SELECT arg_max(ts_begin, (dur_ns, -ts_begin, kind)) FROM s) - (SELECT start_ns FROM capture_info) AS longest_at_ns,  -- ns from start
  (SELECT arg_max(cause, (dur_ns, -ts_begin, kind)) FROM s) AS longest_cause,  -- its cause
  -- the blocked waits left out as not stalls (without include_idle): by kind
  (SELECT string_agg(n || ' ' || wait_kind, ', ' ORDER BY n DESC, wait_kind)
   FROM (SELECT wait_kind, count(*) AS n FROM offcpu
         WHERE NOT coalesce(getvariable('include_idle'), false)
           AND dur_ns >= coalesce(getvariable('threshold_ns'), 50000000)
           AND (waker_tid IS NOT NULL OR state = 'uninterruptible')
           AND wait_kind NOT IN ('lock', 'io', 'unknown')
           AND in_report_threads(pid, tid) AND in_report_range(ts_begin, ts_end)
         GROUP BY wait_kind)) AS not_stalls  -- e.g. '12 idle, 3 futex-wait'
