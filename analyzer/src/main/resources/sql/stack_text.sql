-- stack_text(id, n): a stack as one line, its n innermost interesting
-- frames, leaf first: 'futex_wait < pthread_mutex_lock < worker'.
-- Builds on: stack_frames.sql.
-- The scheduler's own frames (schedule, __schedule, ...) lead every
-- off-CPU stack and say nothing about why the thread blocked: skipped.
CREATE OR REPLACE MACRO stack_text(id, n) AS (
  SELECT string_agg(name, ' < ' ORDER BY depth)
  FROM (
    SELECT name, depth
    FROM stack_frames
    WHERE stack_id = id
      AND NOT (is_kernel AND regexp_matches(name,
          '^(__schedule|schedule|schedule_[a-z_]+|preempt_schedule[a-z_]*|io_schedule[a-z_]*|finish_task_switch.*|__switch_to.*)$'))
    ORDER BY depth
    LIMIT n
  )
);
