-- stalls(threshold_ns, freeze_periods): one row per stall longer than
-- threshold_ns: a CPU, a thread or the whole machine that stopped making
-- progress, with the cause the capture shows.
-- Builds on: samples, irq, threads, capture_info, spin_stacks.sql,
--            sched_latency.sql, offcpu.sql, stack_text.sql.
--
-- Kinds:
--   freeze    CPUs that were busy produced no samples for at least
--             freeze_periods sampling periods (and threshold_ns), with no
--             context switch on them meanwhile: a CPU that cannot take its
--             sampling timer interrupt has interrupts off, is in an NMI, or
--             is not running at all. Gaps that overlap in time are one
--             freeze (every CPU quiet together: the 250 ms rqspinlock
--             freeze of Linux 6.15-6.18). The cause names any interrupt
--             that held one of those CPUs for at least half the freeze, and
--             any CPU whose last sample was spinning on a lock.
--   spin      consecutive samples of one thread on one CPU inside lock
--             spinning (spin_stacks.sql).
--   runqueue  runnable but not running (sched_latency.sql); the cause names
--             the thread that had the CPU.
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
quiet AS (
  SELECT s.cpu, s.prev_ts AS ts_begin, s.ts AS ts_end, s.prev_tid AS tid, s.prev_stack_id AS stack_id
  FROM sample_steps s, info
  WHERE s.ts - s.prev_ts >= greatest(threshold_ns, freeze_periods * info.period_ns)
    AND s.prev_tid <> 0
    AND NOT EXISTS (SELECT 1 FROM sched_switch w WHERE w.cpu = s.cpu AND w.ts > s.prev_ts AND w.ts < s.ts)
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
runqueue AS (
  SELECT 'runqueue' AS kind, ts_begin, ts_end, cpu, [cpu] AS cpus, tid, NULL::BIGINT AS stack_id,
         CASE reason WHEN 'woken' THEN 'woken' ELSE 'preempted' END || ', waiting for CPU ' || cpu || ': '
         || CASE WHEN ran_instead_tid IS NOT NULL
                 THEN coalesce(ran_instead, '?') || ' (tid ' || ran_instead_tid || ') had it'
                 ELSE 'still waiting when the capture ended' END AS cause
  FROM sched_latency
  WHERE latency_ns >= threshold_ns
),
blocked AS (
  SELECT 'blocked' AS kind, ts_begin, ts_end, cpu, [cpu] AS cpus, tid, stack_id,
         'blocked (' || state || ')'
         || coalesce(' in ' || stack_text(stack_id, 3), '')
         || CASE WHEN waker_tid IS NOT NULL THEN ', unblocked by ' || coalesce(waker, '?') || ' (tid ' || waker_tid || ')'
                 WHEN woken_by_interrupt IS NOT NULL THEN ', woken by ' || woken_by_interrupt
                 ELSE ', still blocked when the capture ended' END AS cause
  FROM offcpu
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
  stack_text(a.stack_id, 4) AS stack,     -- that stack, innermost frames first
  a.cause                                 -- what the capture says caused it
FROM all_stalls a
LEFT JOIN threads t ON t.tid = nullif(a.tid, 0)
ORDER BY a.ts_begin, a.kind;
