-- critical_path(root_tid, from_ns, to_ns, max_depth): why did this thread
-- take so long? Its time over the window, cut into what was happening on
-- its behalf: its own running and waiting for a CPU, and, for each
-- interval it was blocked, what the thread that woke it was doing
-- meanwhile, followed the same way through that thread's own blocked
-- intervals, to what was actually running (as Perfetto's critical path over
-- thread_executing_span, and Windows Performance Analyzer's wait analysis).
-- One row per piece; the pieces are back to back and cover the window
-- (but where a thread on the path has no recorded state: before its first
-- event).
-- Builds on: thread_states.sql, offcpu.sql, threads.
--
-- A blocked interval is followed to its waker when another thread woke it
-- (offcpu.waker_tid), that thread is not already on the path (a cycle),
-- and the path is not max_depth threads deep yet; it is a piece of its own
-- otherwise: woken by an interrupt (a device, a timer: the walk ends
-- there), not woken within the capture, or a cycle. A waker is blamed for
-- the whole blocked interval it ended, from its start: a thread that waits
-- on a condition variable for another thread's result is on the path of
-- everything that thread did meanwhile (and a pool thread woken with new
-- work is on the path of whoever produced it).
-- from_ns / to_ns default to the root thread's first and last state.
CREATE OR REPLACE MACRO critical_path(root_tid, from_ns := NULL, to_ns := NULL, max_depth := 8) AS TABLE
WITH RECURSIVE
bounds AS (
  SELECT coalesce(from_ns, (SELECT min(ts_begin) FROM thread_states WHERE tid = root_tid)) AS lo,
         coalesce(to_ns, (SELECT max(ts_end) FROM thread_states WHERE tid = root_tid)) AS hi
),
-- every thread's states in the window (every piece lies inside it): running
-- and runnable from thread_states, blocked ones from offcpu (the same
-- intervals, with their waker and wait kind). Cut to the window first: each
-- step of the walk joins with these, and DuckDB may build its hash table on
-- them (measured: on 10M switches, every thread's states took over 1.4 GB)
states AS (
  SELECT tid, ts_begin, ts_end, state, CASE WHEN state = 'runnable' THEN 'cpu' END AS wait_kind,
         NULL::VARCHAR AS wait_detail, cpu, NULL::INTEGER AS waker_tid, NULL::VARCHAR AS woken_by_interrupt,
         CASE WHEN state = 'runnable' THEN ran_before_tid END AS ran_before_tid
  FROM thread_states
  WHERE state IN ('running', 'runnable')
    AND ts_end > (SELECT lo FROM bounds) AND ts_begin < (SELECT hi FROM bounds)
  UNION ALL
  SELECT tid, ts_begin, ts_end, state, wait_kind, wait_detail, cpu, waker_tid, woken_by_interrupt, NULL
  FROM offcpu
  WHERE ts_end > (SELECT lo FROM bounds) AND ts_begin < (SELECT hi FROM bounds)
),
-- a row to expand (expand: a window of a thread to explain by its states)
-- or a piece of the path (its state over [lo, hi])
walk(tid, lo, hi, depth, chain, expand, state, wait_kind, wait_detail, cpu, waker_tid, woken_by_interrupt,
     ran_before_tid) AS (
  SELECT root_tid::INTEGER, lo, hi, 0, [root_tid::INTEGER], true, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR,
         NULL::INTEGER, NULL::INTEGER, NULL::VARCHAR, NULL::INTEGER
  FROM bounds WHERE lo < hi
  UNION ALL
  SELECT CASE WHEN follow THEN waker_tid ELSE tid END, lo, hi,
         depth + CASE WHEN follow THEN 1 ELSE 0 END,
         CASE WHEN follow THEN list_append(chain, waker_tid) ELSE chain END,
         follow, state, wait_kind, wait_detail, cpu, waker_tid, woken_by_interrupt, ran_before_tid
  FROM (
    SELECT s.tid, greatest(s.ts_begin, w.lo) AS lo, least(s.ts_end, w.hi) AS hi, w.depth, w.chain,
           s.state, s.wait_kind, s.wait_detail, s.cpu, s.waker_tid, s.woken_by_interrupt, s.ran_before_tid,
           coalesce(s.waker_tid IS NOT NULL AND s.state NOT IN ('running', 'runnable')
                    AND w.depth < max_depth AND NOT list_contains(w.chain, s.waker_tid), false) AS follow
    FROM walk w
    JOIN states s ON s.tid = w.tid AND s.ts_begin < w.hi AND s.ts_end > w.lo
    WHERE w.expand
  )
)
SELECT
  w.lo AS ts_begin,                                          -- ns
  w.hi AS ts_end,                                            -- ns
  w.hi - w.lo AS dur_ns,                                     -- ns
  w.depth,                                                   -- 0: the thread itself; n: n wakers away
  w.tid,                                                     -- the thread whose state this is
  t.name AS thread,                                          -- its name
  w.chain,                                                   -- tids from the root to it: who waited for whom
  w.state,                                                   -- running | runnable | sleeping | uninterruptible | ...
  w.wait_kind,                                               -- not running: cpu, or offcpu.sql's wait kind
  CASE
    WHEN w.state = 'running' THEN 'running'
    WHEN w.state = 'runnable' THEN 'waiting for a CPU'
    ELSE 'blocked: ' || w.wait_kind || coalesce(' (' || w.wait_detail || ')', '')
         || CASE WHEN w.woken_by_interrupt IS NOT NULL THEN ', woken by ' || w.woken_by_interrupt
                 WHEN w.waker_tid IS NULL THEN ', not woken in the capture'
                 WHEN list_contains(w.chain, w.waker_tid) THEN ', woken by tid ' || w.waker_tid || ', already on the path'
                 ELSE ', woken by tid ' || w.waker_tid || ', deeper than ' || max_depth END
  END AS doing,                                              -- what it was doing, in words
  w.cpu,                                                     -- running: its CPU; runnable: the CPU it waited for
  w.ran_before_tid AS ran_instead_tid                        -- runnable: the thread that had that CPU until it got it
FROM walk w
LEFT JOIN threads t ON t.tid = w.tid
WHERE NOT w.expand AND w.hi > w.lo;
