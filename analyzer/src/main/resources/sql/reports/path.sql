-- path: the critical path report of one thread: what its time went to,
-- its own and, while it was blocked, its wakers', longest first.
-- Builds on: critical_path.sql, threads, capture_info.
-- Settings (see reports/stalls.sql): only_tid (required: the thread),
-- from_ns, to_ns (default: the thread's recorded life).
WITH p AS (
  SELECT * FROM critical_path(getvariable('only_tid'), from_ns := getvariable('from_ns'), to_ns := getvariable('to_ns'))
),
names AS (
  SELECT p.chain, string_agg(coalesce(t.name, '?') || ' (' || c.tid || ')', ' > ' ORDER BY c.i) AS via
  FROM (SELECT DISTINCT chain FROM p) p,
       LATERAL (SELECT unnest(p.chain) AS tid, generate_subscripts(p.chain, 1) AS i) c
  LEFT JOIN threads t ON t.tid = c.tid
  GROUP BY p.chain
)
SELECT
  n.via AS "on",                                                 -- the thread, after who waited for it: 'A (501) > B (502)'
  p.doing,                                                       -- running | waiting for a CPU | blocked: kind (detail), ...
  printf('%.1f', sum(p.dur_ns) / 1e6) AS ms,                     -- time on the path
  round(100.0 * sum(p.dur_ns) / (SELECT sum(dur_ns) FROM p), 1) AS pct,  -- % of the window
  count(*) AS pieces,                                            -- intervals it is made of
  printf('%.3f', (min(p.ts_begin) - any_value(c.start_ns)) / 1e9) AS first_at_s  -- s from the capture's start
FROM p
JOIN names n USING (chain)
CROSS JOIN capture_info c
GROUP BY n.via, p.doing, p.chain
ORDER BY sum(p.dur_ns) DESC, n.via, p.doing;
