-- cpu_runs: what each CPU ran, as back-to-back intervals: from a context
-- switch to that CPU's next one, the thread switched in (tid 0: idle).
-- Builds on: sched_switch, capture_info.
-- Each run is listed once for every 100 ms bucket of time it overlaps
-- (bucket = ns // 100000000), so that "what ran on CPU c between t1 and t2"
-- is a join on (cpu, bucket), not a comparison with every switch on c.
-- A run of several buckets appears in each: clip it to the bucket before
-- adding up time (see stalls.sql).
CREATE OR REPLACE VIEW cpu_runs AS
WITH runs AS (
  SELECT s.cpu, s.next_tid AS tid, s.ts AS ts_begin,
         coalesce(lead(s.ts) OVER (PARTITION BY s.cpu ORDER BY s.ts), greatest(c.end_ns, s.ts)) AS ts_end
  FROM sched_switch s, capture_info c
)
SELECT
  cpu,                                    -- CPU
  tid,                                    -- thread it ran (0: idle)
  ts_begin,                               -- ns: switched in
  ts_end,                                 -- ns: the CPU's next switch (or the capture's end)
  unnest(range(ts_begin // 100000000, ts_end // 100000000 + 1)) AS bucket  -- a 100 ms bucket it overlaps
FROM runs;
