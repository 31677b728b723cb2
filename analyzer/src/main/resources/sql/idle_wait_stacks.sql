-- idle_wait_stacks: off-CPU stacks that show a thread waiting for something
-- that is not progress denied to it, with what it waited for:
--   exit    a child process or a thread to end (wait4 / waitid; pthread_join,
--           which sleeps on the futex the kernel clears at the thread's exit)
--   events  file descriptors to become ready (epoll_wait, poll, select): an
--           event loop with nothing to do
--   signal  a signal (sigsuspend, pause, sigtimedwait): how a shell's `wait`
--           waits for its jobs, and how daemons idle
--   exec    a vfork child to exec or exit: a shell starting a command waits
--           so, uninterruptibly, for as long as the exec takes; any delay is
--           the child's and shows on the child
-- stalls.sql leaves such waits out of its blocked stalls: a shell waiting
-- for its command, or a main thread joining its workers, are long sleeps
-- woken by another thread, but nothing stalled. Needs the off-CPU stacks
-- (profiler-rec --offcpu-stacks); without them every wait is a candidate.
-- Builds on: stack_frames.sql.
CREATE OR REPLACE VIEW idle_wait_stacks AS
SELECT
  stack_id,                                             -- stacks.stack_id
  CASE WHEN bool_or(name IN ('ep_poll', 'do_epoll_wait', 'do_sys_poll', 'do_select', 'core_sys_select')) THEN 'events'
       WHEN bool_or(name IN ('__x64_sys_rt_sigsuspend', '__x64_sys_pause', '__x64_sys_rt_sigtimedwait')) THEN 'signal'
       WHEN bool_or(name IN ('__do_sys_vfork', '__x64_sys_vfork')) THEN 'exec'
       ELSE 'exit' END AS waits_for,                    -- exit | events | signal | exec
  arg_min(name, depth) AS waits_in                      -- the frame that says so, nearest the leaf
FROM stack_frames
WHERE (is_kernel AND name IN ('do_wait', 'kernel_wait4', 'kernel_waitid', '__do_sys_wait4', '__do_sys_waitid',
                              'ep_poll', 'do_epoll_wait', 'do_sys_poll', 'do_select', 'core_sys_select',
                              -- syscall entry points: their inner functions get inlined or renamed (.isra)
                              '__x64_sys_rt_sigsuspend', '__x64_sys_pause', '__x64_sys_rt_sigtimedwait',
                              '__do_sys_vfork', '__x64_sys_vfork'))
   OR (NOT is_kernel AND name IN ('pthread_join', '___pthread_join', '__pthread_join', '__pthread_clockjoin_ex',
                                  'pthread_timedjoin_np', 'pthread_clockjoin_np', 'thrd_join'))
GROUP BY stack_id;
