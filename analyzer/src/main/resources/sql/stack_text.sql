-- stack_lines: each stack's interesting frames, innermost first, as a list.
-- stack_text(id, n): a stack as one line, its n innermost interesting
-- frames, leaf first: 'futex_wait < pthread_mutex_lock < worker'.
-- Builds on: stack_frames.sql.
-- The scheduler's own frames (schedule, __schedule, ...) lead every
-- off-CPU stack and say nothing about why the thread blocked: skipped.
-- Reports join stack_lines (one pass over all stacks) rather than call
-- stack_text per row (a lookup per row).
CREATE OR REPLACE VIEW stack_lines AS
SELECT stack_id,                                        -- stacks.stack_id
       list(name ORDER BY depth) AS frames              -- interesting frame names, leaf first
FROM stack_frames
WHERE NOT (is_kernel AND regexp_matches(name,
    '^(__schedule|schedule|schedule_[a-z_]+|preempt_schedule[a-z_]*|io_schedule[a-z_]*|finish_task_switch.*|__switch_to.*)$'))
GROUP BY stack_id;

CREATE OR REPLACE MACRO stack_text(id, n) AS (
  SELECT array_to_string(frames[1:n], ' < ') FROM stack_lines WHERE stack_id = id
);
