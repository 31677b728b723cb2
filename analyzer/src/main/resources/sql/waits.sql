-- waits: every interval a thread was not running, with what it waited for:
-- a CPU (runnable) or what offcpu.sql says it blocked on.
-- Builds on: thread_states.sql, offcpu.sql.
CREATE OR REPLACE VIEW waits AS
SELECT
  tid,                                        -- thread
  pid,                                        -- its process
  state,                                      -- runnable | sleeping | uninterruptible | idle | stopped | parked
  ts_begin,                                   -- ns
  ts_end,                                     -- ns
  dur_ns,                                     -- ns
  ends_with_capture,                          -- true: still waiting when the capture ended
  'cpu' AS wait_kind,                         -- cpu | lock | io | sleep | idle | exit | join | exec | signal | futex-wait | unknown
  'state' AS wait_signal,                     -- what decided the kind (offcpu.sql)
  reason AS wait_detail,                      -- runnable: woken | preempted; else the lock, frame, op, call or state
  NULL::BIGINT AS stack_id                    -- blocked: where (stacks.stack_id)
FROM thread_states
WHERE state = 'runnable'
UNION ALL
SELECT tid, pid, state, ts_begin, ts_end, dur_ns, ends_with_capture, wait_kind, wait_signal, wait_detail, stack_id
FROM offcpu;
