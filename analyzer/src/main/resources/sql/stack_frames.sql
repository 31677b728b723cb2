-- stack_frames: one row per frame of each distinct stack.
-- Builds on: stacks (capture table), frame_names.sql.
CREATE OR REPLACE VIEW stack_frames AS
WITH unnested AS (
  SELECT stack_id,
         kernel_frames,
         generate_subscripts(frame_ids, 1) AS position,
         unnest(frame_ids) AS frame_id
  FROM stacks
)
SELECT
  u.stack_id,                                 -- stacks.stack_id
  u.position - 1 AS depth,                    -- 0 = leaf (innermost frame)
  u.frame_id,                                 -- frames.frame_id
  u.position <= u.kernel_frames AS is_kernel, -- true for the kernel part of the stack
  coalesce(n.name, '[frame ' || u.frame_id || ' missing]') AS name,  -- printable function name
  n.module                                    -- module, null if the frame row is missing
FROM unnested u
LEFT JOIN frame_names n USING (frame_id);
