-- path_summary: the headline of the path report: the window, the
-- thread's own running, waiting for a CPU and blocked time, and what ran on
-- its behalf while it was blocked.
-- Builds on: critical_path.sql, threads, capture_info (the settings of reports/path.sql).
WITH p AS (
  SELECT * FROM critical_path(getvariable('only_tid'), from_ns := getvariable('from_ns'), to_ns := getvariable('to_ns'))
),
helpers AS (
  SELECT tid, sum(dur_ns) AS ns FROM p WHERE depth > 0 AND state = 'running' GROUP BY tid
)
SELECT
  (SELECT name FROM threads WHERE tid = getvariable('only_tid')) AS thread,     -- its name
  (SELECT min(ts_begin) FROM p) - (SELECT start_ns FROM capture_info) AS from_ns,  -- ns from the capture's start
  (SELECT max(ts_end) FROM p) - (SELECT start_ns FROM capture_info) AS to_ns,      -- ns from the capture's start
  coalesce((SELECT sum(dur_ns) FROM p), 0) AS covered_ns,                      -- ns the pieces cover
  coalesce((SELECT sum(dur_ns) FROM p WHERE depth = 0 AND state = 'running'), 0) AS running_ns,      -- its own running
  coalesce((SELECT sum(dur_ns) FROM p WHERE depth = 0 AND state = 'runnable'), 0) AS runnable_ns,    -- its own waits for a CPU
  coalesce((SELECT sum(dur_ns) FROM p WHERE depth > 0 OR state NOT IN ('running', 'runnable')), 0) AS blocked_ns,  -- blocked
  coalesce((SELECT sum(ns) FROM helpers), 0) AS helpers_running_ns,            -- others running on its behalf
  coalesce((SELECT sum(dur_ns) FROM p WHERE depth > 0 AND state = 'runnable'), 0) AS helpers_runnable_ns,  -- they waited for a CPU
  (SELECT string_agg(coalesce(t.name, '?') || ' (tid ' || h.tid || ') ' || printf('%.1f', h.ns / 1e6) || ' ms', ', '
                     ORDER BY h.ns DESC, h.tid)
   FROM (SELECT * FROM helpers ORDER BY ns DESC, tid LIMIT 3) h LEFT JOIN threads t USING (tid)) AS top_helpers  -- who ran longest
