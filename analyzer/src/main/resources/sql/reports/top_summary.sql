-- top_summary: how far to trust the top report.
-- Builds on: samples, stacks (capture tables), report_scope.sql.
-- Settings (see reports/stalls.sql): only_pid, only_tid, from_ns, to_ns.
-- truncated_pct: share of samples whose user stack stopped before the
-- thread's entry point (code without frame pointers); their "total" is
-- undercounted for callers above the break.
-- With --call-graph dwarf, samples.unwind says how each walk went:
-- unwound_samples were walked with unwind tables; of them, incomplete ones
-- stopped early (error, or truncated at 127 frames), fell_back ones took
-- frame-pointer steps somewhere (JIT code, a library not loaded yet).
SELECT
  count(*) AS samples,                                                     -- count
  count(*) FILTER (WHERE s.pid = 0) AS idle_samples,                       -- count
  count(*) FILTER (WHERE st.user_truncated) AS truncated_samples,          -- count
  round(100.0 * count(*) FILTER (WHERE st.user_truncated) / greatest(count(*), 1), 1) AS truncated_pct, -- %
  count(*) FILTER (WHERE s.unwind IS NOT NULL) AS unwound_samples,         -- count
  count(*) FILTER (WHERE s.unwind IN ('error', 'truncated')) AS incomplete_samples, -- count
  round(100.0 * count(*) FILTER (WHERE s.unwind IN ('error', 'truncated'))
    / greatest(count(*) FILTER (WHERE s.unwind IS NOT NULL), 1), 1) AS incomplete_pct, -- %
  round(100.0 * count(*) FILTER (WHERE s.unwind = 'fell back')
    / greatest(count(*) FILTER (WHERE s.unwind IS NOT NULL), 1), 1) AS fell_back_pct  -- %
FROM samples s
LEFT JOIN stacks st USING (stack_id)
WHERE in_report_threads(s.pid, s.tid) AND in_report_range(s.ts, s.ts);
