-- folded_stacks: each stack as one line, root first, frames joined by ';'
--                (the collapsed-stack format of flame graph tools).
-- flame_cpu:     CPU time per process and stack.
-- flame_offcpu:  time blocked per process and off-CPU stack (needs
--                --offcpu-stacks; without, one '[stack not recorded]' line
--                per process).
-- Builds on: stack_frames.sql, sample_counts.sql, offcpu.sql, processes.
-- A ';' inside a name (rare: C++ operators) would split a frame: made ':'.
CREATE OR REPLACE VIEW folded_stacks AS
SELECT stack_id,                                                    -- stacks.stack_id
       string_agg(replace(name, ';', ':'), ';' ORDER BY depth DESC) AS folded  -- root;...;leaf
FROM stack_frames
GROUP BY stack_id;

CREATE OR REPLACE VIEW flame_cpu AS
SELECT
  CASE WHEN s.pid = 0 THEN 'idle' ELSE replace(coalesce(p.name, 'pid ' || s.pid), ';', ':') END
    || ';' || coalesce(f.folded, '[no stack]') AS folded,          -- process;root;...;leaf
  sum(s.samples) AS samples,                                        -- count
  sum(s.cpu_ns) AS weight_ns                                        -- ns of CPU time
FROM sample_counts s
LEFT JOIN folded_stacks f USING (stack_id)
LEFT JOIN processes p ON p.pid = s.pid
GROUP BY 1;

CREATE OR REPLACE VIEW flame_offcpu AS
SELECT
  replace(coalesce(p.name, 'pid ' || o.pid, 'tid ' || o.tid), ';', ':')
    || ';' || coalesce(f.folded, '[stack not recorded]') AS folded, -- process;root;...;leaf
  count(*) AS intervals,                                            -- blocked intervals
  sum(o.dur_ns) AS weight_ns                                        -- ns blocked
FROM offcpu o
LEFT JOIN folded_stacks f USING (stack_id)
LEFT JOIN processes p ON p.pid = o.pid
WHERE NOT o.ends_with_capture
GROUP BY 1;
