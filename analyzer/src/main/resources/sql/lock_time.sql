-- lock_waits: every wait for a lock, kernel or user, one row each, with
--             how much of it the waiter spent on a CPU and off it.
-- lock_time(only_pid, only_tid, from_ns, to_ns): one row per lock: how
--             often and how long threads waited for it, how much of that
--             they spun on a CPU and how much they slept, where they waited
--             and who waited most. Every argument is optional: only the
--             waits of that process / thread / overlapping that time range.
-- Builds on: lock_contention, futex_wait, samples, threads, capture_info,
--            thread_states.sql, call_sites.sql, stack_text.sql (stack_lines),
--            wait_stacks.sql, kernel_lock_type.sql.
--
-- Kernel locks are named by the kernel symbol their address lies in (or the
-- address); user locks (futex words) by the data symbol they lie in (a
-- static mutex: its name) or, on the heap or stack, by their address, and
-- by the call site of their waits: the code that takes them. Only the futex operations that wait are listed
-- (FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_LOCK_PI, FUTEX_LOCK_PI2,
-- FUTEX_WAIT_REQUEUE_PI), each with a wait kind as offcpu.sql decides it:
-- its user stack first (a mutex, rwlock or monitor frame: lock; a condition
-- variable, semaphore or park: idle; pthread_join: join), then its op
-- (FUTEX_LOCK_PI* and FUTEX_WAIT, glibc's mutex wait: lock; the rest:
-- futex-wait, which may be a condition variable). lock_time counts the
-- lock waits only: an idle pool waiting for work is not contention.
CREATE OR REPLACE VIEW lock_waits AS
WITH waits AS (
  SELECT
    'kernel' AS lock_space,                                 -- kernel | user
    printf('0x%x', l.lock_addr) AS lock_id,                 -- kernel address / pid:futex address
    coalesce(l.lock_symbol, printf('0x%x', l.lock_addr)) AS lock_name,  -- symbol, or the address
    kernel_lock_type(l.flags) AS lock_type,                 -- spinlock | rwlock | mutex | rwsem | rtmutex | percpu-rwsem | futex
    l.tid,                                                  -- waiting thread
    t.pid,                                                  -- its process
    l.ts_begin,                                             -- ns
    l.ts_end,                                               -- ns
    l.ts_end - l.ts_begin AS wait_ns,                       -- ns
    l.stack_id,                                             -- kernel stack of the wait
    NULL::VARCHAR AS call_site,                             -- (user locks only)
    'lock' AS wait_kind,                                    -- lock | idle | join | futex-wait ... (offcpu.sql's kinds)
    'lock-event' AS wait_signal                             -- what decided it: lock-event | stack | futex-op
  FROM lock_contention l
  LEFT JOIN threads t ON t.tid = l.tid
  UNION ALL
  SELECT
    'user',
    f.pid || ':' || printf('0x%x', f.uaddr),
    coalesce(f.lock_symbol, 'futex ' || printf('0x%x', f.uaddr)),
    'futex',
    f.tid, f.pid, f.ts_begin, f.ts_end, f.ts_end - f.ts_begin, f.stack_id,
    c.call_site,
    CASE WHEN ws.wait_kind IS NOT NULL THEN ws.wait_kind
         WHEN (f.op & 127) IN (0, 6, 13) THEN 'lock'
         ELSE 'futex-wait' END,
    CASE WHEN ws.wait_kind IS NOT NULL THEN 'stack' ELSE 'futex-op' END
  FROM futex_wait f
  LEFT JOIN call_sites c ON c.stack_id = f.stack_id
  LEFT JOIN wait_stacks ws ON ws.stack_id = f.stack_id
  WHERE (f.op & 127) IN (0, 6, 9, 11, 13)
),
numbered AS (SELECT row_number() OVER () AS wait_no, * FROM waits),
-- The on-CPU and blocked time inside a wait come from the waiter's samples
-- and off-CPU intervals that fall in it, found by a join on (thread, 100 ms
-- bucket): each wait is listed once per bucket it overlaps, and so is each
-- off-CPU interval, clipped to the bucket before adding up, so an interval
-- met in several buckets counts once. A sample lies in one bucket.
wait_buckets AS (
  SELECT wait_no, tid, ts_begin, ts_end, unnest(range(ts_begin // 100000000, ts_end // 100000000 + 1)) AS bucket
  FROM numbered
),
on_cpu AS (
  SELECT w.wait_no, sum(s.weight) AS on_cpu_ns
  FROM wait_buckets w
  JOIN samples s ON s.tid = w.tid AND s.ts // 100000000 = w.bucket AND s.ts >= w.ts_begin AND s.ts <= w.ts_end
  GROUP BY w.wait_no
),
off_cpu_parts AS (
  SELECT tid, ts_begin, ts_end, unnest(range(ts_begin // 100000000, ts_end // 100000000 + 1)) AS bucket
  FROM thread_states
  WHERE state NOT IN ('running', 'runnable')
),
blocked AS (
  SELECT w.wait_no,
         sum(greatest(0, least(o.ts_end, w.ts_end, (w.bucket + 1) * 100000000)
                         - greatest(o.ts_begin, w.ts_begin, w.bucket * 100000000))) AS blocked_ns
  FROM wait_buckets w
  JOIN off_cpu_parts o ON o.tid = w.tid AND o.bucket = w.bucket AND o.ts_begin < w.ts_end AND o.ts_end > w.ts_begin
  GROUP BY w.wait_no
),
has_sched AS (SELECT count(*) > 0 AS yes FROM (SELECT 1 FROM sched_switch LIMIT 1))
SELECT w.* EXCLUDE (wait_no),
       coalesce(c.on_cpu_ns, 0) AS on_cpu_ns,                      -- ns of the wait spent on a CPU (samples): spinning
       CASE WHEN (SELECT yes FROM has_sched) THEN coalesce(b.blocked_ns, 0) END AS blocked_ns  -- ns of it spent off CPU; null without scheduler events
FROM numbered w
LEFT JOIN on_cpu c USING (wait_no)
LEFT JOIN blocked b USING (wait_no);

CREATE OR REPLACE MACRO lock_time(only_pid := NULL, only_tid := NULL, from_ns := NULL, to_ns := NULL) AS TABLE
WITH
chosen AS (
  SELECT * FROM lock_waits
  WHERE wait_kind = 'lock'
    AND (only_pid IS NULL OR pid = only_pid) AND (only_tid IS NULL OR tid = only_tid)
    AND (from_ns IS NULL OR ts_end >= from_ns) AND (to_ns IS NULL OR ts_begin <= to_ns)
),
per_waiter AS (
  SELECT lock_space, lock_id, tid, sum(wait_ns) AS wait_ns, min(ts_begin) AS first_wait, max(ts_end) AS last_wait
  FROM chosen GROUP BY ALL
),
top_waiters AS (
  SELECT p.lock_space, p.lock_id,
         string_agg(coalesce(t.name, '?') || ' (tid ' || p.tid || ') ' || printf('%.1f', p.wait_ns / 1e6) || ' ms',
                    ', ' ORDER BY p.wait_ns DESC, p.tid) FILTER (WHERE p.rank <= 3) AS top_waiters,
         -- the waiters' own time in the capture: how long each was alive while recorded, its waits
         -- included (a thread blocked from the start is first seen when it wakes), so no share tops 100%
         sum(greatest(least(t.last_seen, c.end_ns), p.last_wait)
             - least(greatest(t.first_seen, c.start_ns), p.first_wait)) AS waiters_lifetime_ns
  FROM (SELECT *, row_number() OVER (PARTITION BY lock_space, lock_id ORDER BY wait_ns DESC, tid) AS rank FROM per_waiter) p
  LEFT JOIN threads t ON t.tid = p.tid
  CROSS JOIN capture_info c
  GROUP BY p.lock_space, p.lock_id
),
per_lock AS (
  SELECT
    lock_space, lock_id,
    CASE WHEN lock_space = 'user' THEN any_value(lock_name) || coalesce(' in ' || mode(call_site), '')
         ELSE any_value(lock_name) END AS lock,
    mode(lock_type) AS lock_type,
    count(*) AS waits,
    count(DISTINCT tid) AS waiters,
    sum(wait_ns) AS total_wait_ns,
    max(wait_ns) AS max_wait_ns,
    quantile_disc(wait_ns, 0.99) AS p99_wait_ns,
    sum(on_cpu_ns) AS spin_ns,
    sum(blocked_ns) AS blocked_ns,
    mode(stack_id) AS top_stack_id
  FROM chosen
  GROUP BY lock_space, lock_id
)
SELECT
  l.lock,                                                 -- lock name (symbol / futex address and call site)
  l.lock_type,                                            -- spinlock | rwlock | mutex | rwsem | rtmutex | percpu-rwsem | futex
  l.lock_space,                                           -- kernel | user
  l.lock_id,                                              -- address (kernel) or pid:address (user)
  l.waits,                                                -- count
  l.waiters,                                              -- distinct threads
  l.total_wait_ns,                                        -- ns waited, all waits
  l.max_wait_ns,                                          -- ns, longest wait
  l.p99_wait_ns,                                          -- ns, 99th percentile wait
  l.spin_ns,                                              -- ns of the waits spent on a CPU (samples): spinning
  l.blocked_ns,                                           -- ns of the waits spent off CPU (scheduler); null without scheduler events
  round(100.0 * l.total_wait_ns / nullif(w.waiters_lifetime_ns, 0), 1) AS share_pct,  -- % of the waiting threads' recorded time
  w.top_waiters,                                          -- up to 3 threads that waited longest
  l.top_stack_id,                                         -- most common stack of its waits
  array_to_string(sl.frames[1:5], ' < ') AS top_stack    -- that stack, innermost frames first
FROM per_lock l
JOIN top_waiters w USING (lock_space, lock_id)
LEFT JOIN stack_lines sl ON sl.stack_id = l.top_stack_id
ORDER BY l.total_wait_ns DESC;
