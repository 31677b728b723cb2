-- stalls: the stalls report, longest first within its time order.
-- Builds on: stalls.sql, report_scope.sql, capture_info.
-- Reads the report's settings, made by `profiler-query stalls` from its
-- options (in the shell: SET VARIABLE threshold_ns = 100000000; ...):
--   threshold_ns (default 50 ms), only_pid, only_tid, from_ns, to_ns,
--   include_idle (default false: no waits for work or input, sleeps, joins).
-- A freeze stops every thread, so it is shown whatever pid or tid is asked.
SELECT
  s.kind,                                                   -- freeze | spin | runqueue | blocked | irq
  s.wait_kind AS wait,                                      -- cpu | lock | io | unknown (with include_idle: idle, sleep, ...)
  printf('%.3f', (s.ts_begin - c.start_ns) / 1e9) AS at_s,  -- s from the capture's start
  printf('%.1f', s.dur_ns / 1e6) AS ms,                     -- duration
  coalesce(s.cpu::VARCHAR, array_to_string(s.cpus, ',')) AS cpu,  -- CPU(s)
  s.tid,                                                    -- thread
  s.thread,                                                 -- its name
  s.cause,                                                  -- what the capture says caused it
  s.stack                                                   -- where (innermost frames first)
FROM stalls(threshold_ns := coalesce(getvariable('threshold_ns'), 50000000),
            include_idle := coalesce(getvariable('include_idle'), false)) s, capture_info c
WHERE (in_report_threads(s.pid, s.tid) OR s.kind = 'freeze')
  AND in_report_range(s.ts_begin, s.ts_end)
ORDER BY s.ts_begin, s.kind;
