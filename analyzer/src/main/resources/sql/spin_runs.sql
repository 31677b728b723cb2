-- spin_runs: each run of consecutive samples of one thread on one CPU
-- spinning on a lock (a stack in spin_stacks); the raw material of stalls'
-- spins. A run ends at a sample that is not spinning or is of another
-- thread; it lasts from its first sample to one sampling period after its
-- last.
-- Builds on: samples, capture_info, spin_stacks.sql.
CREATE OR REPLACE VIEW spin_runs AS
WITH steps AS (
  SELECT s.cpu, s.tid, s.ts, s.stack_id, sp.spin_function,
         lag(sp.spin_function IS NOT NULL) OVER by_cpu AS prev_spinning,
         lag(s.tid) OVER by_cpu AS prev_tid
  FROM samples s
  LEFT JOIN spin_stacks sp ON sp.stack_id = s.stack_id
  WINDOW by_cpu AS (PARTITION BY s.cpu ORDER BY s.ts)
),
runs AS (
  SELECT *, sum(starts_run) OVER (PARTITION BY cpu ORDER BY ts ROWS UNBOUNDED PRECEDING) AS run_id
  FROM (
    SELECT *, CASE WHEN coalesce(prev_spinning, false) AND prev_tid = tid THEN 0 ELSE 1 END AS starts_run
    FROM steps WHERE spin_function IS NOT NULL
  )
)
SELECT
  r.cpu,                                                -- CPU
  any_value(r.tid) AS tid,                              -- thread spinning
  min(r.ts) AS ts_begin,                                -- ns: first sample
  max(r.ts) + any_value(coalesce(c.period_ns, 10000000)) AS ts_end,  -- ns: one period after the last
  count(*) AS samples,                                  -- samples in the run
  mode(r.spin_function) AS spin_function,               -- where it spun most
  mode(r.stack_id) AS stack_id                          -- its commonest stack
FROM runs r, capture_info c
GROUP BY r.cpu, r.run_id;
