-- stalls(threshold_ns, freeze_periods, include_idle): one row per stall
-- longer than threshold_ns: a CPU, a thread or the whole machine that
-- stopped making progress, with the cause the capture shows.
-- Builds on: irq, threads, capture_info, cpu_silences.sql, cpu_runs.sql,
--            spin_stacks.sql, spin_runs.sql, sched_latency.sql, offcpu.sql,
--            call_sites.sql, stack_text.sql (stack_lines).
--
-- Kinds:
--   freeze    CPUs that were busy produced no samples for at least
--             freeze_periods sampling periods (and threshold_ns), with no
--             context switch on them meanwhile (a switch ends the silence:
--             the busy thread left the CPU): a CPU that cannot take its
--             sampling timer interrupt has interrupts off, is in an NMI, or
--             is not running at all. Gaps that overlap in time are one
--             freeze (every CPU quiet together: the 250 ms rqspinlock
--             freeze of Linux 6.15-6.18). Without scheduler events (a
--             capture made with --no-sched) nothing tells a CPU that went
--             idle from one that froze, and an idle CPU may give no
--             samples at all (its sampling timer does not fire while it
--             sleeps: perf, on this project's VMs, got 11 samples from an
--             idle CPU in 10 s at 999 Hz): there, only every CPU quiet
--             together is a freeze. The cause names any interrupt
--             that held one of those CPUs for at least half the freeze, and
--             any CPU whose last sample was spinning on a lock.
--             (cpu_silences holds silences of two periods and more: a
--             freeze_periods below 2 counts as 2.)
--   spin      consecutive samples of one thread on one CPU inside lock
--             spinning (spin_stacks.sql).
--   runqueue  runnable but not running (sched_latency.sql); the cause names
--             the thread that had the CPU longest meanwhile.
--   blocked   off CPU, then woken by another thread (offcpu.sql), or in
--             uninterruptible sleep (D), waiting for a lock, for I/O or for
--             something no signal names (wait_kind lock, io, unknown). A
--             sleep ended by an interrupt (timers, mostly) is not a stall,
--             nor is waiting for work or input, a sleep, another task's
--             end, a signal, or a futex wait that may be a condition
--             variable (wait_kind idle, sleep, exit, join, exec, signal,
--             futex-wait): those only with include_idle.
--             The cause names the wait kind, the signal's detail, where the
--             program blocked (call_sites.sql, of the off-CPU stack, else of
--             its futex call's stack; else the innermost frames) and what
--             unblocked it.
--   irq       one hardirq, softirq or NMI handling that held a CPU; one
--             inside a freeze on its CPU is that freeze's cause instead.
CREATE OR REPLACE MACRO stalls(threshold_ns := 50000000, freeze_periods := 10, include_idle := false) AS TABLE
WITH
info AS (
  SELECT coalesce(period_ns, 10000000) AS period_ns, cpu_count,
         EXISTS (SELECT 1 FROM sched_switch) AS has_switches
  FROM capture_info
),
-- silences long enough to count
quiet AS (
  SELECT q.cpu, q.ts_begin, q.ts_end, q.tid, q.stack_id
  FROM cpu_silences q, info
  WHERE q.dur_ns >= greatest(threshold_ns, freeze_periods * info.period_ns)
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
                         || printf('%.1f', (i.ts_end - i.ts_begin) / 1e6) || ' ms', (i.ts_end - i.ts_begin, -i.ts_begin))
          FROM irq i
          WHERE i.cpu = q.cpu AND i.ts_begin < q.ts_end AND i.ts_end > q.ts_begin
            AND 2 * (i.ts_end - i.ts_begin) >= q.ts_end - q.ts_begin) AS long_interrupt
  FROM quiet_grouped q
  LEFT JOIN spin_stacks sp ON sp.stack_id = q.stack_id
),
freezes AS (
  SELECT
    'freeze' AS kind, min(ts_begin) AS ts_begin, max(ts_end) AS ts_end,
    CASE WHEN count(DISTINCT cpu) = 1 THEN min(cpu) END AS cpu,
    list(DISTINCT cpu ORDER BY cpu) AS cpus,
    -- the lowest spinning CPU's thread and stack (ties broken by CPU: same rows, same answer)
    coalesce(arg_max(tid, (spin_function IS NOT NULL, -cpu)), min(tid)) AS tid,
    coalesce(arg_max(stack_id, (spin_function IS NOT NULL, -cpu)), min(stack_id)) AS stack_id,
    NULL::VARCHAR AS wait_kind,
    concat_ws('; ',
      CASE WHEN count(DISTINCT cpu) >= any_value(info.cpu_count) THEN 'all ' || count(DISTINCT cpu) || ' CPUs busy but silent'
           ELSE count(DISTINCT cpu) || ' of ' || any_value(info.cpu_count) || ' CPUs busy but silent' END,
      string_agg(long_interrupt, '; ' ORDER BY cpu),
      string_agg(CASE WHEN spin_function IS NOT NULL
                      THEN 'CPU ' || cpu || ' last seen spinning in ' || spin_function END, '; ' ORDER BY cpu),
      CASE WHEN count(long_interrupt) = 0 AND count(spin_function) = 0
           THEN 'no sampling interrupt got through: interrupts off, or the CPUs (VM) not running' END
    ) AS cause
  FROM quiet_facts, info
  GROUP BY freeze_id
  HAVING any_value(info.has_switches) OR count(DISTINCT cpu) >= any_value(info.cpu_count)
),
spins AS (
  SELECT 'spin' AS kind, ts_begin, ts_end, cpu, [cpu] AS cpus, tid, stack_id, 'lock' AS wait_kind,
         samples || ' samples in a row spinning in ' || spin_function AS cause
  FROM spin_runs
  WHERE ts_end - ts_begin >= threshold_ns
),
runqueue_waits AS (
  SELECT * FROM sched_latency WHERE latency_ns >= threshold_ns
),
-- who had the CPU while each long wait lasted, and for how long: the runs
-- on that CPU overlapping the wait, joined on (CPU, 100 ms bucket), each
-- counted within the bucket only, so a run met in several buckets adds up
-- to its overlap once
cpu_shares AS (
  SELECT w.tid AS waiter, w.ts_begin AS wait_begin, r.tid AS ran_tid,
         sum(greatest(0, least(r.ts_end, w.ts_end, (r.bucket + 1) * 100000000)
                         - greatest(r.ts_begin, w.ts_begin, r.bucket * 100000000))) AS ran_ns
  FROM (SELECT *, unnest(range(ts_begin // 100000000, ts_end // 100000000 + 1)) AS bucket
        FROM runqueue_waits) w
  JOIN cpu_runs r ON r.cpu = w.cpu AND r.bucket = w.bucket AND r.ts_begin < w.ts_end AND r.ts_end > w.ts_begin
  WHERE r.tid <> 0 AND r.tid <> w.tid
  GROUP BY ALL
),
cpu_holders AS (
  -- who ran longest; of equals, the lowest tid
  SELECT waiter, wait_begin, arg_max(ran_tid, (ran_ns, -ran_tid)) AS holder_tid, max(ran_ns) AS holder_ns
  FROM cpu_shares GROUP BY ALL
),
runqueue AS (
  SELECT 'runqueue' AS kind, w.ts_begin, w.ts_end, w.cpu, [w.cpu] AS cpus, w.tid, NULL::BIGINT AS stack_id,
         'cpu' AS wait_kind,
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
  SELECT 'blocked' AS kind, ts_begin, ts_end, cpu, [cpu] AS cpus, tid, stack_id, wait_kind,
         CASE wait_kind WHEN 'unknown' THEN 'blocked' WHEN 'futex-wait' THEN 'futex wait' ELSE wait_kind || ' wait' END
         || ' (' || state || coalesce(', ' || wait_detail, '') || ')'
         || coalesce(' in ' || cs.call_site, ' in ' || fcs.call_site, ' in ' || array_to_string(l.frames[1:3], ' < '), '')
         || CASE WHEN waker_tid IS NOT NULL THEN ', unblocked by ' || coalesce(waker, '?') || ' (tid ' || waker_tid || ')'
                 WHEN woken_by_interrupt IS NOT NULL THEN ', woken by ' || woken_by_interrupt
                 ELSE ', still blocked when the capture ended' END AS cause
  FROM offcpu o
  LEFT JOIN stack_lines l USING (stack_id)
  LEFT JOIN call_sites cs USING (stack_id)
  -- no user frame in the switch-out stack (taken before the process's unwind tables were loaded): its futex call's
  LEFT JOIN call_sites fcs ON fcs.stack_id = o.futex_stack_id
  WHERE dur_ns >= threshold_ns
    AND (waker_tid IS NOT NULL OR state = 'uninterruptible')
    AND (include_idle OR wait_kind IN ('lock', 'io', 'unknown'))
),
interrupts AS (
  SELECT 'irq' AS kind, i.ts_begin, i.ts_end, i.cpu, [i.cpu] AS cpus, i.interrupted_tid AS tid,
         NULL::BIGINT AS stack_id, NULL::VARCHAR AS wait_kind,
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
  a.wait_kind,                            -- what the thread waited for: cpu (runqueue), lock (spin; blocked), io, unknown,
                                          -- and with include_idle idle, sleep, exit, join, exec, signal, futex-wait
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
