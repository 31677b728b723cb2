-- top: the hottest functions, by self and by total (inclusive) samples.
-- Builds on: samples, stack_frames.sql, report_scope.sql.
-- self  = samples whose leaf frame is this function;
-- total = samples with this function anywhere on the stack (counted once
--         per sample, even when it recurses).
-- Settings (see reports/stalls.sql): only_pid, only_tid, from_ns, to_ns.
WITH per_stack AS (
  SELECT stack_id, count(*) AS samples
  FROM samples
  WHERE in_report_threads(pid, tid) AND in_report_range(ts, ts)
  GROUP BY stack_id
),
all_samples AS (
  SELECT greatest(sum(samples), 1) AS n FROM per_stack
),
self AS (
  SELECT f.name, f.module, sum(p.samples) AS samples
  FROM per_stack p JOIN stack_frames f ON f.stack_id = p.stack_id AND f.depth = 0
  GROUP BY f.name, f.module
),
total AS (
  SELECT name, module, sum(samples) AS samples
  FROM (SELECT DISTINCT p.stack_id, p.samples, f.name, f.module
        FROM per_stack p JOIN stack_frames f ON f.stack_id = p.stack_id)
  GROUP BY name, module
)
SELECT
  t.name AS function,                                      -- function name
  t.module,                                                -- file it is in
  coalesce(s.samples, 0) AS self_samples,                  -- count
  round(100.0 * coalesce(s.samples, 0) / a.n, 2) AS self_pct,  -- % of all samples
  t.samples AS total_samples,                              -- count
  round(100.0 * t.samples / a.n, 2) AS total_pct           -- % of all samples
FROM total t
LEFT JOIN self s ON s.name = t.name AND s.module IS NOT DISTINCT FROM t.module
CROSS JOIN all_samples a
ORDER BY self_samples DESC, total_samples DESC, function
LIMIT 30;
