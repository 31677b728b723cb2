-- thread_states: what each thread was doing, as back-to-back intervals.
-- Builds on: sched_switch, sched_wakeup, threads (capture tables),
--            capture_info (made by the analyzer from manifest.json).
--
-- A thread's timeline is cut at three kinds of event:
--   switched in  (sched_switch.next_tid)  -> running, on that CPU
--   switched out (sched_switch.prev_tid)  -> runnable if it left in state R
--                                            (preempted), else blocked in
--                                            its prev_state (S, D, ...)
--   woken        (sched_wakeup, kind waking or wakeup_new) -> runnable,
--                only when it comes right after a blocking switch-out (a
--                waking of a thread that is running, or a second waking,
--                changes nothing)
-- Each interval lasts until the thread's next event; the last one of a
-- thread ends with the capture (ends_with_capture). Time before a thread's
-- first event is unknown and has no interval. Left out: the recorder's own
-- threads, and, in a recording of some processes (-p, -- CMD), the threads
-- of other processes (processes.target false): of both, only the switches
-- with a recorded thread are in the capture, so their timelines have holes.
CREATE OR REPLACE VIEW thread_states AS
WITH events AS (
  SELECT next_tid AS tid, ts, cpu, 0 AS ev, NULL::VARCHAR AS prev_state, NULL::BIGINT AS stack_id,
         prev_tid AS other_tid, NULL::INTEGER AS waker_cpu, NULL::VARCHAR AS waker_context,
         NULL::VARCHAR AS syscall, NULL::INTEGER AS futex_op, NULL::BOOLEAN AS iowait
  FROM sched_switch WHERE next_tid <> 0
  UNION ALL
  SELECT prev_tid, ts, cpu, 1, prev_state, prev_stack_id, next_tid, NULL, NULL,
         prev_syscall, prev_futex_op, prev_iowait
  FROM sched_switch WHERE prev_tid <> 0
  UNION ALL
  SELECT tid, ts, target_cpu, 2, NULL, NULL, waker_tid, cpu, waker_context, NULL, NULL, NULL
  FROM sched_wakeup WHERE kind IN ('waking', 'wakeup_new') AND tid <> 0
),
-- One pass over each thread's events gives both neighbours of every event.
-- Wakings that change nothing (of a thread running or already runnable)
-- are dropped afterwards, so an interval ends at the next event that is
-- not such a waking: a blocked thread's at its very next event (its waking
-- or a switch-in), any other state's at its next switch (IGNORE NULLS
-- skips the wakings).
neighbours AS (
  SELECT *,
         lag(ev) OVER by_thread AS prev_ev,
         lag(prev_state) OVER by_thread AS prev_ev_state,
         lead(ts) OVER by_thread AS next_any_ts,
         lead(ev) OVER by_thread AS next_any_ev,
         lead(cpu) OVER by_thread AS next_any_cpu,
         lead(other_tid) OVER by_thread AS next_any_other_tid,
         lead(waker_cpu) OVER by_thread AS next_any_waker_cpu,
         lead(waker_context) OVER by_thread AS next_any_waker_context,
         lead(CASE WHEN ev < 2 THEN ts END IGNORE NULLS) OVER by_thread AS next_switch_ts,
         lead(CASE WHEN ev < 2 THEN ev END IGNORE NULLS) OVER by_thread AS next_switch_ev,
         lead(CASE WHEN ev < 2 THEN cpu END IGNORE NULLS) OVER by_thread AS next_switch_cpu,
         lead(CASE WHEN ev < 2 THEN other_tid END IGNORE NULLS) OVER by_thread AS next_switch_other_tid
  FROM events
  WINDOW by_thread AS (PARTITION BY tid ORDER BY ts, ev)
),
intervals AS (
  SELECT
    tid, ts, cpu, ev, prev_state, stack_id, other_tid, waker_cpu, waker_context, syscall, futex_op, iowait,
    CASE WHEN blocking THEN next_any_ts ELSE next_switch_ts END AS next_ts,
    CASE WHEN blocking THEN next_any_ev ELSE next_switch_ev END AS next_ev,
    CASE WHEN blocking THEN next_any_cpu ELSE next_switch_cpu END AS next_cpu,
    CASE WHEN blocking THEN next_any_other_tid ELSE next_switch_other_tid END AS next_other_tid,
    CASE WHEN blocking THEN next_any_waker_cpu END AS next_waker_cpu,
    CASE WHEN blocking THEN next_any_waker_context END AS next_waker_context
  FROM (SELECT *, coalesce(ev = 1 AND prev_state <> 'R', false) AS blocking FROM neighbours)
  WHERE ev < 2 OR (prev_ev = 1 AND prev_ev_state <> 'R')
)
SELECT
  i.tid,                                                  -- thread id
  t.pid,                                                  -- process id (threads table), null if unknown
  CASE
    WHEN i.ev = 0 THEN 'running'
    WHEN i.ev = 2 OR i.prev_state = 'R' THEN 'runnable'
    WHEN i.prev_state = 'S' THEN 'sleeping'
    WHEN i.prev_state = 'D' THEN 'uninterruptible'
    WHEN i.prev_state = 'I' THEN 'idle'              -- TASK_IDLE: a kernel thread with nothing to do
    WHEN i.prev_state IN ('T', 't') THEN 'stopped'
    WHEN i.prev_state = 'P' THEN 'parked'
    WHEN i.prev_state IN ('X', 'Z') THEN 'dead'
    ELSE 'unknown'
  END AS state,                                           -- running | runnable | sleeping | uninterruptible | idle | stopped | parked | dead
  CASE WHEN i.ev = 1 AND i.prev_state = 'R' THEN 'preempted'
       WHEN i.ev = 2 THEN 'woken' END AS reason,          -- why runnable: preempted | woken
  i.ts AS ts_begin,                                       -- ns, CLOCK_MONOTONIC
  CASE WHEN i.prev_state IN ('X', 'Z') THEN i.ts
       ELSE coalesce(i.next_ts, greatest(c.end_ns, i.ts)) END AS ts_end,  -- ns; a dead thread's interval is empty
  CASE WHEN i.prev_state IN ('X', 'Z') THEN 0
       ELSE coalesce(i.next_ts, greatest(c.end_ns, i.ts)) - i.ts END AS dur_ns,  -- ns
  i.next_ts IS NULL AND coalesce(i.prev_state, '') NOT IN ('X', 'Z') AS ends_with_capture,  -- still in this state when the capture ended
  CASE WHEN i.ev = 0 THEN i.cpu                           -- running: its CPU
       WHEN i.ev = 1 THEN i.cpu                           -- runnable or blocked: the CPU it left
       ELSE i.cpu END AS cpu,                             -- woken: the CPU it was queued on
  CASE WHEN i.ev = 1 THEN i.stack_id END AS stack_id,     -- stack at switch-out (off-CPU stack), when recorded
  CASE WHEN i.ev = 1 THEN i.syscall END AS syscall,       -- blocked: the system call it blocked in (null: none, a kernel thread, or not recorded)
  CASE WHEN i.ev = 1 THEN i.futex_op END AS futex_op,     -- blocked in futex(): its op
  CASE WHEN i.ev = 1 AND i.prev_state = 'D' THEN i.iowait END AS iowait,  -- uninterruptible: in_iowait was set (block I/O, page cache)
  CASE WHEN i.ev = 2 THEN i.other_tid END AS woken_by_tid,  -- runnable because woken: the waker
  CASE WHEN i.ev = 2 THEN i.waker_cpu END AS woken_on_cpu,  -- runnable because woken: the CPU the waker ran on
  CASE WHEN i.ev = 2 THEN i.waker_context END AS woken_in,  -- runnable because woken from an interrupt: hardirq | softirq | local_timer
  CASE WHEN i.ev <> 0 AND i.next_ev = 0 THEN i.next_cpu END AS next_cpu,  -- not running: the CPU it ran on next
  CASE WHEN i.ev <> 0 AND i.next_ev = 0 THEN i.next_other_tid END AS ran_before_tid,  -- runnable: the thread that had that CPU just before it got it
  CASE WHEN i.ev = 1 AND i.next_ev = 2 THEN i.next_other_tid END AS waker_tid,  -- blocked: the thread whose wakeup ended it (0: interrupt on an idle CPU)
  CASE WHEN i.ev = 1 AND i.next_ev = 2 THEN i.next_waker_cpu END AS waker_cpu,  -- blocked: the CPU that wakeup came from
  CASE WHEN i.ev = 1 AND i.next_ev = 2 THEN i.next_waker_context END AS waker_context  -- blocked: ended from an interrupt (waker_tid is then the interrupted thread)
FROM intervals i
LEFT JOIN threads t ON t.tid = i.tid
LEFT JOIN processes p ON p.pid = t.pid
CROSS JOIN capture_info c
WHERE (t.pid IS DISTINCT FROM c.recorder_pid OR c.recorder_pid IS NULL)
  AND p.target IS NOT FALSE;
