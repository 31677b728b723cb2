-- sched_latency: every wait for a CPU: from being woken (or preempted) to
-- running again, and who had that CPU meanwhile.
-- Builds on: thread_states.sql, threads.
CREATE OR REPLACE VIEW sched_latency AS
SELECT
  s.tid,                                  -- thread that waited
  s.pid,                                  -- its process
  s.reason,                               -- woken | preempted
  s.ts_begin,                             -- ns: woken or preempted at
  s.ts_end,                               -- ns: on a CPU again at (or the capture's end)
  s.dur_ns AS latency_ns,                 -- ns runnable but not running
  s.ends_with_capture,                    -- true: still waiting when the capture ended
  coalesce(s.next_cpu, s.cpu) AS cpu,     -- CPU it ran on next (or was queued on)
  s.woken_by_tid,                         -- woken: the waker
  s.ran_before_tid AS ran_instead_tid,    -- the thread that had that CPU until it got it
  r.name AS ran_instead                   -- its name
FROM thread_states s
LEFT JOIN threads r ON r.tid = s.ran_before_tid
WHERE s.state = 'runnable';
