-- offcpu: every interval a thread spent blocked (off CPU, not runnable),
-- with the stack it blocked in and what unblocked it.
-- Builds on: thread_states.sql, irq, threads.
--
-- What unblocked it: the waker thread, or the interrupt that woke it. A
-- wakeup done in interrupt context reports whichever thread the interrupt
-- landed on as its "waker"; the recorder marks such wakeups
-- (sched_wakeup.waker_context: hardirq, softirq, local_timer), and the
-- interrupt's handler is named from the irq row on the waker's CPU that
-- holds the wakeup. Captures made before waker_context existed still get
-- the irq-row match.
CREATE OR REPLACE VIEW offcpu AS
WITH blocked AS (
  SELECT * FROM thread_states
  WHERE state IN ('sleeping', 'uninterruptible', 'idle', 'stopped', 'parked', 'unknown')
),
-- the interrupt that was running on the waker's CPU at the wakeup: the
-- last one begun there by then (the innermost, when a hardirq interrupted a
-- softirq), if it had not ended (an ASOF join: one lookup per wakeup)
by_interrupt AS (
  SELECT b.tid, b.ts_begin, q.handler, q.kind
  FROM blocked b
  ASOF JOIN (SELECT * FROM irq WHERE kind <> 'nmi') q ON q.cpu = b.waker_cpu AND q.ts_begin <= b.ts_end
  WHERE b.waker_tid IS NOT NULL AND q.ts_end >= b.ts_end
)
SELECT
  b.tid,                                                  -- thread that blocked
  b.pid,                                                  -- its process
  b.state,                                                -- sleeping (S) | uninterruptible (D) | idle | stopped | parked
  b.ts_begin,                                             -- ns: switched out at
  b.ts_end,                                               -- ns: woken at (or the capture's end)
  b.dur_ns,                                               -- ns blocked
  b.ends_with_capture,                                    -- true: still blocked when the capture ended
  b.cpu,                                                  -- CPU it left
  b.stack_id,                                             -- where it blocked (stacks.stack_id), when off-CPU stacks were recorded
  CASE WHEN i.tid IS NULL AND b.waker_context IS NULL AND b.waker_tid <> 0 THEN b.waker_tid END AS waker_tid,  -- thread that woke it (null: an interrupt, or not woken)
  CASE WHEN i.tid IS NULL AND b.waker_context IS NULL AND b.waker_tid <> 0 THEN w.name END AS waker,           -- its name
  coalesce(i.kind || ' ' || coalesce(i.handler, '?'),
           CASE b.waker_context WHEN 'local_timer' THEN 'timer interrupt' ELSE b.waker_context END,
           CASE WHEN b.waker_tid = 0 THEN 'interrupt' END) AS woken_by_interrupt  -- e.g. 'hardirq virtio0', 'softirq TIMER', 'timer interrupt'
FROM blocked b
LEFT JOIN by_interrupt i ON i.tid = b.tid AND i.ts_begin = b.ts_begin
LEFT JOIN threads w ON w.tid = b.waker_tid;
