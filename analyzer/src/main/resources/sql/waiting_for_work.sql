-- waiting_for_work: for each pool of threads (threads of one process whose
-- names differ only in their digits: "worker-1", "worker-2": "worker-*"), how much of
-- their time they waited for work or input rather than worked. Useful for
-- sizing a pool: one idle 90% of the time has threads to spare; one never
-- idle, and whose tasks wait, has too few.
-- Builds on: offcpu.sql, threads, processes, capture_info.
--
-- Counted: waits of kind idle (condition variables, semaphores, parking,
-- reads of pipes and sockets, event loops) and futex-wait (a
-- FUTEX_WAIT_BITSET wait no stack told apart: usually a condition
-- variable, possibly a contended rwlock or monitor; maybe_idle_ns says how
-- much of the total is of that kind).
CREATE OR REPLACE VIEW waiting_for_work AS
WITH named AS (
  SELECT t.tid, t.pid, coalesce(regexp_replace(t.name, '[0-9]+', '*', 'g'), '?') AS pool,
         greatest(0, least(t.last_seen, c.end_ns) - greatest(t.first_seen, c.start_ns)) AS seen_ns
  FROM threads t CROSS JOIN capture_info c
),
idle AS (
  SELECT tid, count(*) AS waits, sum(dur_ns) AS idle_ns,
         sum(dur_ns) FILTER (WHERE wait_kind = 'futex-wait') AS maybe_idle_ns,
         max(ts_end) AS last_wait_end, min(ts_begin) AS first_wait_begin
  FROM offcpu
  WHERE wait_kind IN ('idle', 'futex-wait')
  GROUP BY tid
)
SELECT
  n.pid,                                                  -- process
  any_value(p.name) AS process,                           -- its name
  n.pool,                                                 -- thread name, each run of digits as '*'
  count(*) AS threads,                                    -- threads in the pool that waited
  sum(i.waits) AS waits,                                  -- count
  sum(i.idle_ns) AS idle_ns,                              -- ns waiting for work, all threads
  coalesce(sum(i.maybe_idle_ns), 0) AS maybe_idle_ns,     -- ns of it in futex-wait waits (not told apart from a lock)
  -- ns the threads were recorded (their waits included: a thread idle from the start is first seen when woken)
  sum(greatest(n.seen_ns, i.idle_ns)) AS recorded_ns,
  round(100.0 * sum(i.idle_ns) / nullif(sum(greatest(n.seen_ns, i.idle_ns)), 0), 1) AS idle_pct  -- % of their time
FROM named n
JOIN idle i USING (tid)
LEFT JOIN processes p ON p.pid = n.pid
GROUP BY n.pid, n.pool;
