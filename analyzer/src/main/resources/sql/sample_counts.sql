-- sample_counts: samples and CPU time per distinct (stack, thread).
-- Builds on: samples (capture table).
-- The reports and the converters work on this rather than on single samples.
CREATE OR REPLACE VIEW sample_counts AS
SELECT
  stack_id,                                   -- stacks.stack_id
  pid,                                        -- process id (0 = idle)
  tid,                                        -- thread id
  count(*) AS samples,                        -- count
  sum(weight) AS cpu_ns                       -- ns of CPU time
FROM samples
GROUP BY stack_id, pid, tid;
