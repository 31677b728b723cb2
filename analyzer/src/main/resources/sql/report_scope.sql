-- in_report_threads(pid, tid), in_report_range(ts_begin, ts_end): whether a
-- row is inside what a report was narrowed to, from the DuckDB variables
-- profiler-query sets from its options (ReportSettings): only_pid, only_tid
-- (--pid, --tid), from_ns, to_ns (--since, --until; an interval counts when
-- it overlaps the range, its ends included). Unset: everything is in.
-- Builds on: nothing.
CREATE OR REPLACE MACRO in_report_threads(p, t) AS
  (getvariable('only_pid') IS NULL OR p = getvariable('only_pid'))
  AND (getvariable('only_tid') IS NULL OR t = getvariable('only_tid'));

CREATE OR REPLACE MACRO in_report_range(b, e) AS
  (getvariable('from_ns') IS NULL OR e >= getvariable('from_ns'))
  AND (getvariable('to_ns') IS NULL OR b <= getvariable('to_ns'));
