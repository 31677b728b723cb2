-- offcpu: every interval a thread spent blocked (off CPU, not runnable),
-- with the stack it blocked in, what it waited for (its wait kind, and the
-- signal that decided it) and what unblocked it.
-- Builds on: thread_states.sql, wait_stacks.sql, wait_syscalls.sql,
--            kernel_lock_type.sql, irq, lock_contention, futex_wait, threads,
--            processes.
--
-- Wait kinds:
--   lock        a mutex, rwlock, monitor or kernel lock
--   io          block I/O, the page cache, a file system, output backpressure
--   sleep       nanosleep, or a sleep only a timer ended
--   idle        waiting for work or input: condition variables, semaphores,
--               pipe / socket / tty reads, event loops, kernel threads' idle
--               loops
--   exit, join, exec, signal
--               a child's end, a thread's end, a vfork child's exec, a signal
--   futex-wait  a futex wait nothing tells apart: FUTEX_WAIT_BITSET is what
--               condition variables, semaphores, rwlocks, pthread_join, Java
--               monitors and Rust's mutexes all use; an off-CPU stack that
--               reaches the caller decides it
--   unknown     nothing recorded says (a capture without the switch-out
--               signals, a wait outside any rule)
-- Signals, the first that says something decides (wait_signal):
--   lock-event  a kernel lock wait (lock_contention, --locks) of the thread
--               that spans the interval
--   stack       a frame of the off-CPU stack (--offcpu-stacks), by
--               wait_frame_rules: the most telling frame (wait_stacks.sql)
--   futex-stack the same rules over the user stack of the thread's futex()
--               call that spans the interval (--futex): taken when the call
--               returned, it helps where the switch-out stack was not
--               recorded or was walked before the process's unwind tables
--               were loaded (its first milliseconds)
--   iowait      uninterruptible with in_iowait set: I/O
--   futex-op    futex(): FUTEX_LOCK_PI* and FUTEX_WAIT (pthread_mutex_lock's
--               wait in glibc) are locks; the rest is futex-wait
--   syscall     the system call it blocked in, by wait_syscall_rules
--   state       uninterruptible (D) otherwise: io, which includes kernel
--               locks taken in D when neither --locks nor stacks say so;
--               TASK_IDLE (I), parked: idle
--   kthread     a kernel thread in an interruptible sleep: its idle loop
--   waker       no system call known, and only a timer ended it: sleep
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
),
-- the thread's last kernel lock wait begun by the time it blocked, when
-- that wait lasted until it was woken: it blocked for that lock
in_lock_wait AS (
  SELECT b.tid, b.ts_begin,
         coalesce(l.lock_symbol, kernel_lock_type(l.flags) || ' ' || printf('0x%x', l.lock_addr)) AS lock_name
  FROM blocked b
  ASOF JOIN lock_contention l ON l.tid = b.tid AND l.ts_begin <= b.ts_begin
  WHERE l.ts_end >= b.ts_end
),
-- the thread's futex() call that spans the interval, with its user stack
in_futex AS (
  SELECT b.tid, b.ts_begin, f.stack_id AS futex_stack_id
  FROM blocked b
  ASOF JOIN futex_wait f ON f.tid = b.tid AND f.ts_begin <= b.ts_begin
  WHERE f.ts_end >= b.ts_end
),
kernel_threads AS (
  SELECT pid FROM processes WHERE ppid = 2 OR pid = 2
),
woken AS (
  SELECT b.*,
         CASE WHEN i.tid IS NULL AND b.waker_context IS NULL AND b.waker_tid <> 0 THEN b.waker_tid END AS by_tid,
         coalesce(i.kind || ' ' || coalesce(i.handler, '?'),
                  CASE b.waker_context WHEN 'local_timer' THEN 'timer interrupt' ELSE b.waker_context END,
                  CASE WHEN b.waker_tid = 0 THEN 'interrupt' END) AS by_interrupt
  FROM blocked b
  LEFT JOIN by_interrupt i ON i.tid = b.tid AND i.ts_begin = b.ts_begin
),
-- each signal's verdict; the CASE below takes the first that has one
signals AS (
  SELECT w.*, lw.lock_name, ws.wait_kind AS stack_kind, ws.wait_frame, sr.kind AS syscall_kind,
         fs.wait_kind AS futex_stack_kind, fs.wait_frame AS futex_frame, fw.futex_stack_id,
         w.futex_op & 127 AS futex_cmd,                   -- the op without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME
         k.pid IS NOT NULL AS kernel_thread
  FROM woken w
  LEFT JOIN in_lock_wait lw ON lw.tid = w.tid AND lw.ts_begin = w.ts_begin
  LEFT JOIN wait_stacks ws ON ws.stack_id = w.stack_id
  LEFT JOIN in_futex fw ON fw.tid = w.tid AND fw.ts_begin = w.ts_begin
  LEFT JOIN wait_stacks fs ON fs.stack_id = fw.futex_stack_id
  LEFT JOIN wait_syscall_rules sr ON sr.syscall = w.syscall AND w.state = 'sleeping'
  LEFT JOIN kernel_threads k ON k.pid = w.pid
),
decided AS (
  SELECT *,
    CASE
      WHEN lock_name IS NOT NULL THEN ['lock', 'lock-event', lock_name]
      WHEN stack_kind IS NOT NULL THEN [stack_kind, 'stack', wait_frame]
      WHEN futex_stack_kind IS NOT NULL THEN [futex_stack_kind, 'futex-stack', futex_frame]
      WHEN state = 'uninterruptible' AND iowait THEN ['io', 'iowait', coalesce(syscall, 'no system call: a page fault or kernel work')]
      WHEN syscall = 'futex' AND futex_cmd IN (6, 8, 13) THEN ['lock', 'futex-op', 'FUTEX_LOCK_PI']
      WHEN syscall = 'futex' AND futex_cmd = 0 THEN ['lock', 'futex-op', 'FUTEX_WAIT']
      WHEN syscall = 'futex' AND futex_cmd = 9 THEN ['futex-wait', 'futex-op', 'FUTEX_WAIT_BITSET']
      WHEN syscall = 'futex' THEN ['futex-wait', 'futex-op', 'futex op ' || futex_op]
      WHEN syscall_kind IS NOT NULL THEN [syscall_kind, 'syscall', syscall]
      WHEN state = 'uninterruptible' AND syscall IN ('vfork', 'clone', 'clone3') THEN ['exec', 'syscall', syscall]
      WHEN state = 'uninterruptible' THEN ['io', 'state', coalesce(syscall, 'uninterruptible')]
      WHEN state IN ('idle', 'parked') THEN ['idle', 'state', state]
      WHEN kernel_thread AND state = 'sleeping' THEN ['idle', 'kthread', 'kernel thread']
      WHEN syscall IS NULL AND by_interrupt = 'timer interrupt' THEN ['sleep', 'waker', 'timer']
      ELSE ['unknown', NULL, coalesce(syscall, state)]
    END AS verdict
  FROM signals
)
SELECT
  d.tid,                                                  -- thread that blocked
  d.pid,                                                  -- its process
  d.state,                                                -- sleeping (S) | uninterruptible (D) | idle | stopped | parked
  d.ts_begin,                                             -- ns: switched out at
  d.ts_end,                                               -- ns: woken at (or the capture's end)
  d.dur_ns,                                               -- ns blocked
  d.ends_with_capture,                                    -- true: still blocked when the capture ended
  d.cpu,                                                  -- CPU it left
  d.stack_id,                                             -- where it blocked (stacks.stack_id), when off-CPU stacks were recorded
  d.syscall,                                              -- the system call it blocked in, when recorded
  d.futex_op,                                             -- futex(): its op
  d.futex_stack_id,                                       -- the user stack of the futex() call that spans it (--futex), taken when the call returned
  d.verdict[1] AS wait_kind,                              -- lock | io | sleep | idle | exit | join | exec | signal | futex-wait | unknown
  d.verdict[2] AS wait_signal,                            -- what decided it: lock-event | stack | futex-stack | iowait | futex-op | syscall | state | kthread | waker (null: nothing)
  d.verdict[3] AS wait_detail,                            -- the lock, frame, op, call or state it was decided by
  d.by_tid AS waker_tid,                                  -- thread that woke it (null: an interrupt, or not woken)
  CASE WHEN d.by_tid IS NOT NULL THEN w.name END AS waker,  -- its name
  d.by_interrupt AS woken_by_interrupt                    -- e.g. 'hardirq virtio0', 'softirq TIMER', 'timer interrupt'
FROM decided d
LEFT JOIN threads w ON w.tid = d.by_tid;
