-- cpu_silences: each stretch in which a CPU with a thread on it (not idle)
-- produced no sample for at least two sampling periods: from its last
-- sample until its next sample, or until its next context switch if that
-- comes first (the busy thread left the CPU: from then on the CPU was doing
-- something else, not silent). The raw material of stalls' freezes.
-- Builds on: samples, sched_switch, capture_info.
-- One pass over each CPU's samples and switches in time order; a switch at
-- the very time of a sample sorts before it, so it does not end the
-- silence that sample begins.
CREATE OR REPLACE VIEW cpu_silences AS
WITH cpu_events AS (
  SELECT cpu, ts, 0 AS kind, NULL::INTEGER AS tid, NULL::BIGINT AS stack_id FROM sched_switch
  UNION ALL
  SELECT cpu, ts, 1, tid, stack_id FROM samples
),
steps AS (
  SELECT *, lead(ts) OVER (PARTITION BY cpu ORDER BY ts, kind) AS next_ts
  FROM cpu_events
)
SELECT
  s.cpu,                                  -- CPU
  s.ts AS ts_begin,                       -- ns: its last sample
  s.next_ts AS ts_end,                    -- ns: its next sample or context switch
  s.next_ts - s.ts AS dur_ns,             -- ns silent
  s.tid,                                  -- thread on the CPU at the last sample
  s.stack_id                              -- that sample's stack
FROM steps s, capture_info c
WHERE s.kind = 1 AND s.tid <> 0
  AND s.next_ts - s.ts >= 2 * coalesce(c.period_ns, 10000000);
