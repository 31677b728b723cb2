-- stalls(threshold_ns, freeze_periods): one row per stall longer than
-- threshold_ns: a CPU, a thread or the whole machine that stopped making
-- progress, with the cause the capture shows.
-- Builds on: samples, irq, threads, capture_info, spin_stacks.sql,
--            sched_latency.sql, offcpu.sql, stack_text.sql (stack_lines).
--
-- Kinds:
--   freeze    CPUs that were busy produced no samples for at least
--             freeze_periods sampling periods (and threshold_ns), with no
--             context switch on them meanwhile (a switch ends the silence:
--             the busy thread left the CPU): a CPU that cannot take its
--             sampling timer interrupt has interrupts off, is in an NMI, or
--             is not running at all. Gaps that overlap in time are one
--             freeze (every CPU quiet together: the 250 ms rqspinlock
--             freeze of Linux 6.15-6.18). The cause names any interrupt
--             that held one of those CPUs for at least half the freeze, and
--             any CPU whose last sample was spinning on a lock.
--   spin      consecutive samples of one thread on one CPU inside lock
--             spinning (spin_stacks.sql).
--   runqueue  runnable but not running (sched_latency.sql); the cause names
--             the thread that had the CPU longest meanwhile.
--   blocked   off CPU, then woken by another thread (offcpu.sql), or in
--             uninterruptible sleep (D); a sleep ended by an interrupt
--             (timers, mostly) is not a stall. The cause names the stack it
--             blocked in and what unblocked it.
--   irq       one hardirq, softirq or NMI handling that held a CPU; one
--             inside a freeze on its CPU is that freeze's cause instead.
CREATE OR REPLACE MACRO stalls(threshold_ns := 50000000, freeze_periods := 10) AS TABLE
WITH
info AS (
  SELECT coalesce(period_ns, 10000000) AS period_ns, cpu_count FROM capture_info
),
sample_steps AS (
  SELECT cpu, tid, ts, stack_id,
         lag(ts) OVER by_cpu AS prev_ts,
         lag(tid) OVER by_cpu AS prev_tid,
         lag(stack_id) OVER by_cpu AS prev_stack_id
  FROM samples
  WINDOW by_cpu AS (PARTITION BY cpu ORDER BY ts)
),
-- A gap in a CPU's samples lasts until its next sample, or until its next
-- context switch if that comes first (the thread that was busy left the
-- CPU: it was not silent from then on).
gaps AS (
  SELECT s.cpu, s.prev_ts AS ts_begin, s.ts AS next_sample, s.prev_tid AS tid, s.prev_stack_id AS stack_id
  FROM sample_steps s, info
  WHERE s.ts - s.prev_ts >= greatest(threshold_ns, freeze_periods * info.period_ns)
    AND s.prev_tid <> 0
),
quiet AS (
  SELECT g.cpu, g.ts_begin, least(g.next_sample, coalesce(w.ts, g.next_sample)) AS ts_end, g.tid, g.stack_id
  FROM gaps g
  ASOF LEFT JOIN sched_switch w ON w.cpu = g.cpu AND w.ts > g.ts_begin
  , info
  WHERE least(g.next_sample, coalesce(w.ts, g.next_sample)) - g.ts_begin
        >= greatest(threshold_ns, freeze_periods * info.period_ns)
),
quiet_grouped AS (
  SELECT *, sum(starts_group) OVER (ORDER BY ts_begin, cpu ROWS UNBOUNDED PRECEDING) AS freeze_id
  FROM (
    SELECT *,
           CASE WHEN ts_begin <= max(ts_end) OVER (ORDER BY ts_begin, cpu ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                THEN 0 ELSE 1 END AS starts_group
    FROM quiet
  )
),
quiet_facts AS (
  SELECT q.*, sp.spin_function,
         (SELECT arg_max(i.kind || ' ' || coalesce(i.handler, '?') || ' on CPU ' || i.cpu || ' for '
                         || printf('%.1f', (i.ts_end - i.ts_begin) / 1e6) || ' ms', i.ts_end - i.ts_begin)
          FROM irq i
          WHERE i.cpu = q.cpu AND i.ts_begin < q.ts_end AND i.ts_end > q.ts_begin
            AND 2 * (i.ts_end - i.ts_begin) >= q.ts_end - q.ts_begin) AS long_interrupt
  FROM quiet_grouped q
  LEFT JOIN spin_stacks sp ON sp.stack_id = q.stack_id
),
freezes AS (
  SELECT
    'freeze' AS kind, min(ts_begin) AS ts_begin, max(ts_end) AS ts_end,
    CASE WHEN count(*) = 1 THEN min(cpu) END AS cpu,
    list(cpu ORDER BY cpu) AS cpus,
    coalesce(arg_max(tid, spin_function IS NOT NULL), min(tid)) AS tid,
    coalesce(arg_max(stack_id, spin_function IS NOT NULL), min(stack_id)) AS stack_id,
    concat_ws('; ',
      CASE WHEN count(*) >= any_value(info.cpu_count) THEN 'all ' || count(*) || ' CPUs busy but silent'
           ELSE count(*) || ' of ' || any_value(info.cpu_count) || ' CPUs busy but silent' END,
      string_agg(long_interrupt, '; ' ORDER BY cpu),
      string_agg(CASE WHEN spin_function IS NOT NULL
                      THEN 'CPU ' || cpu || ' last seen spinning in ' || spin_function END, '; ' ORDER BY cpu),
      CASE WHEN count(long_interrupt) = 0 AND count(spin_function) = 0
           THEN 'no sampling interrupt got through: interrupts off, or the CPUs (VM) not running' END
    ) AS cause
  FROM quiet_facts, info
  GROUP BY freeze_id
),
spin_steps AS (
  SELECT s.cpu, s.tid, s.ts, s.stack_id, sp.spin_function,
         sp.spin_function IS NOT NULL AS spinning,
         lag(sp.spin_function IS NOT NULL) OVER by_cpu AS prev_spinning,
         lag(s.tid) OVER by_cpu AS prev_tid
  FROM samples s
  LEFT JOIN spin_stacks sp ON sp.stack_id = s.stack_id
  WINDOW by_cpu AS (PARTITION BY s.cpu ORDER BY s.ts)
),
spin_runs AS (
  SELECT *, sum(starts_run) OVER (PARTITION BY cpu ORDER BY ts ROWS UNBOUNDED PRECEDING) AS run_id
  FROM (
    SELECT *, CASE WHEN coalesce(prev_spinning, false) AND prev_tid = tid THEN 0 ELSE 1 END AS starts_run
    FROM spin_steps WHERE spinning
  )
),
spins AS (
  SELECT 'spin' AS kind, min(ts) AS ts_begin, max(ts) + any_value(info.period_ns) AS ts_end,
         cpu, [cpu] AS cpus, any_value(tid) AS tid, mode(stack_id) AS stack_id,
         count(*) || ' samples in a row spinning in ' || mode(spin_function) AS cause
  FROM spin_runs, info
  GROUP BY cpu, run_id
  HAVING max(ts) + any_value(info.period_ns) - min(ts) >= threshold_ns
),
runqueue_waits AS (
  SELECT * FROM sched_latency WHERE latency_ns >= threshold_ns
),
-- who had the CPU while each long wait lasted: the thread on it when the
-- wait began, then each one switched in before it ended
cpu_turns AS (
  SELECT w.tid AS waiter, w.ts_begin AS wait_begin, w.ts_begin AS turn_begin, s.next_tid AS ran_tid
  FROM runqueue_waits w ASOF JOIN sched_switch s ON s.cpu = w.cpu AND s.ts <= w.ts_begin
  UNION ALL
  -- Switches inside a wait, joined on (CPU, 100 ms bucket) first: a join
  -- on the CPU alone compares every wait with every switch on that CPU.
  SELECT w.tid, w.ts_begin, s.ts, s.next_tid
  FROM (SELECT *, unnest(range(ts_begin // 100000000, ts_end // 100000000 + 1)) AS bucket
        FROM runqueue_waits) w
  JOIN (SELECT cpu, ts, next_tid, ts // 100000000 AS bucket FROM sched_switch) s
    ON s.cpu = w.cpu AND s.bucket = w.bucket AND s.ts > w.ts_begin AND s.ts < w.ts_end
),
cpu_shares AS (
  SELECT waiter, wait_begin, ran_tid, sum(turn_end - turn_begin) AS ran_ns
  FROM (
    SELECT t.*, coalesce(lead(t.turn_begin) OVER (PARTITION BY t.waiter, t.wait_begin ORDER BY t.turn_begin),
                         w.ts_end) AS turn_end
    FROM cpu_turns t JOIN runqueue_waits w ON w.tid = t.waiter AND w.ts_begin = t.wait_begin
  )
  WHERE ran_tid <> 0 AND ran_tid <> waiter
  GROUP BY ALL
),
cpu_holders AS (
  SELECT waiter, wait_begin, arg_max(ran_tid, ran_ns) AS holder_tid, max(ran_ns) AS holder_ns
  FROM cpu_shares GROUP BY ALL
),
runqueue AS (
  SELECT 'runqueue' AS kind, w.ts_begin, w.ts_end, w.cpu, [w.cpu] AS cpus, w.tid, NULL::BIGINT AS stack_id,
         CASE w.reason WHEN 'woken' THEN 'woken' ELSE 'preempted' END || ', waiting for CPU ' || w.cpu || ': '
         || CASE WHEN h.holder_tid IS NOT NULL
                 THEN coalesce(t.name, '?') || ' (tid ' || h.holder_tid || ') ran ' || printf('%.1f', h.holder_ns / 1e6)
                      || ' ms of it'
                 ELSE 'no other thread seen on it' END
         || CASE WHEN w.ends_with_capture THEN '; still waiting when the capture ended' ELSE '' END AS cause
  FROM runqueue_waits w
  LEFT JOIN cpu_holders h ON h.waiter = w.tid AND h.wait_begin = w.ts_begin
  LEFT JOIN threads t ON t.tid = h.holder_tid
),
blocked AS (
  SELECT 'blocked' AS kind, ts_begin, ts_end, cpu, [cpu] AS cpus, tid, stack_id,
         'blocked (' || state || ')'
         || coalesce(' in ' || array_to_string(l.frames[1:3], ' < '), '')
         || CASE WHEN waker_tid IS NOT NULL THEN ', unblocked by ' || coalesce(waker, '?') || ' (tid ' || waker_tid || ')'
                 WHEN woken_by_interrupt IS NOT NULL THEN ', woken by ' || woken_by_interrupt
                 ELSE ', still blocked when the capture ended' END AS cause
  FROM offcpu o
  LEFT JOIN stack_lines l USING (stack_id)
  WHERE dur_ns >= threshold_ns
    AND (waker_tid IS NOT NULL OR state = 'uninterruptible')
),
interrupts AS (
  SELECT 'irq' AS kind, i.ts_begin, i.ts_end, i.cpu, [i.cpu] AS cpus, i.interrupted_tid AS tid,
         NULL::BIGINT AS stack_id,
         i.kind || ' ' || coalesce(i.handler, '?') || ' held CPU ' || i.cpu
         || CASE WHEN i.interrupted_tid <> 0 THEN ', interrupting tid ' || i.interrupted_tid ELSE '' END AS cause
  FROM irq i
  WHERE i.ts_end - i.ts_begin >= threshold_ns
    AND NOT EXISTS (SELECT 1 FROM quiet q
                    WHERE q.cpu = i.cpu AND i.ts_begin < q.ts_end AND i.ts_end > q.ts_begin)
),
all_stalls AS (
  SELECT * FROM freezes
  UNION ALL SELECT * FROM spins
  UNION ALL SELECT * FROM runqueue
  UNION ALL SELECT * FROM blocked
  UNION ALL SELECT * FROM interrupts
)
SELECT
  a.kind,                                 -- freeze | spin | runqueue | blocked | irq
  a.ts_begin,                             -- ns, CLOCK_MONOTONIC
  a.ts_end,                               -- ns
  a.ts_end - a.ts_begin AS dur_ns,        -- ns
  a.cpu,                                  -- CPU (null for a freeze of several)
  a.cpus,                                 -- every CPU involved
  nullif(a.tid, 0) AS tid,                -- thread stalled (freeze, spin, irq: the one on the CPU)
  t.pid,                                  -- its process
  t.name AS thread,                       -- its name
  a.stack_id,                             -- a representative stack (stacks.stack_id)
  array_to_string(l.frames[1:4], ' < ') AS stack,  -- that stack, innermost frames first
  a.cause                                 -- what the capture says caused it
FROM all_stalls a
LEFT JOIN threads t ON t.tid = nullif(a.tid, 0)
LEFT JOIN stack_lines l ON l.stack_id = a.stack_id
ORDER BY a.ts_begin, a.kind;
