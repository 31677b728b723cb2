-- wait_syscall_rules: what a thread that blocks interruptibly (S) inside a
-- system call waits for, by the call (sched_switch.prev_syscall). The
-- recorder reads the call from the thread's saved registers at switch-out,
-- with or without stacks, for a few bytes a switch.
-- Builds on: nothing.
--
-- futex() is not here: its op decides (offcpu.sql). An uninterruptible
-- wait (D) is decided by the state and in_iowait, not by the call (a read
-- in D waits for the disk, one in S for input).
--   idle    waiting for input or work: reads of pipes, sockets and ttys,
--           accept, event loops, message queues
--   io      waiting for output to drain (a full pipe or socket), a
--           connection, a network file system, a sync to disk
--   sleep   nanosleep
--   exit    wait4 / waitid: a child's end
--   exec    vfork / clone(CLONE_VFORK): a child's exec
--   signal  sigsuspend, pause, sigtimedwait
--   lock    file locks (flock, fcntl F_SETLKW)
--   futex-wait  futex_wait / futex_waitv (futex2): no op to tell a lock from
--           a condition variable
CREATE OR REPLACE VIEW wait_syscall_rules AS
SELECT syscall, kind FROM (VALUES
  ('read', 'idle'), ('readv', 'idle'), ('recvfrom', 'idle'), ('recvmsg', 'idle'), ('recvmmsg', 'idle'),
  ('accept', 'idle'), ('accept4', 'idle'), ('epoll_wait', 'idle'), ('epoll_pwait', 'idle'),
  ('epoll_pwait2', 'idle'), ('poll', 'idle'), ('ppoll', 'idle'), ('select', 'idle'), ('pselect6', 'idle'),
  ('io_getevents', 'idle'), ('io_pgetevents', 'idle'), ('io_uring_enter', 'idle'), ('msgrcv', 'idle'),
  ('mq_timedreceive', 'idle'),
  ('write', 'io'), ('writev', 'io'), ('pwrite64', 'io'), ('pwritev', 'io'), ('pwritev2', 'io'),
  ('pread64', 'io'), ('preadv', 'io'), ('preadv2', 'io'), ('sendto', 'io'), ('sendmsg', 'io'),
  ('sendmmsg', 'io'), ('sendfile', 'io'), ('splice', 'io'), ('tee', 'io'), ('connect', 'io'), ('fsync', 'io'),
  ('fdatasync', 'io'), ('sync', 'io'), ('syncfs', 'io'), ('sync_file_range', 'io'), ('msync', 'io'),
  ('nanosleep', 'sleep'), ('clock_nanosleep', 'sleep'),
  ('wait4', 'exit'), ('waitid', 'exit'),
  ('vfork', 'exec'), ('clone', 'exec'), ('clone3', 'exec'),
  ('rt_sigsuspend', 'signal'), ('pause', 'signal'), ('rt_sigtimedwait', 'signal'),
  ('flock', 'lock'), ('fcntl', 'lock'),
  ('futex_wait', 'futex-wait'), ('futex_waitv', 'futex-wait')
) rules(syscall, kind);
