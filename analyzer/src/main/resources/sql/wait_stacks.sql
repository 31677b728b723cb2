-- wait_frame_rules: functions whose presence in an off-CPU stack says what
-- the thread waited for.
-- wait_stacks: for each stack that has one, the wait kind it shows.
-- Builds on: stack_frames.sql.
--
-- A stack can hold several such frames: a JVM thread entering a contended
-- `synchronized` block parks through pthread_cond_wait under
-- ObjectMonitor::EnterI; a thread woken from pthread_cond_wait waits again
-- for the condition variable's mutex in __pthread_mutex_cond_lock. So each
-- rule has a rank, and the frame of the lowest rank decides (of equals, the
-- innermost):
--   1 lock    a mutex, rwlock or monitor: kernel (mutex, rwsem, rt_mutex,
--             file locks) and user (glibc, HotSpot, Rust std, parking_lot)
--   2 join    pthread_join: a thread's end
--     exit    wait4 / waitid: a child process's end
--     exec    a vfork parent waiting for its child to exec or exit
--     signal  sigsuspend, pause, sigtimedwait: a shell's `wait`, daemons
--   3 io      block I/O and the page cache, journal commits
--   4 sleep   nanosleep
--   5 idle    waiting for work or input: condition variables, semaphores,
--             parking, pipe / socket / tty reads, accept, event loops
--             (epoll, poll, select, io_uring), kernel threads' idle loops
-- Names are matched after dropping what compilers and linkers add to them
-- (.isra.0, .constprop.0, .part.0, .cold, @@GLIBC_2.3.2, __GI_, Rust's
-- ::h<hash>). Debian's libc has no frame pointers, so a user stack walked
-- through it usually keeps only its leaf libc frame and skips the caller:
-- __lll_lock_wait (a mutex) says lock, __futex_abstimed_wait_common (shared
-- by condition variables, semaphores, rwlocks and joins) says nothing, and
-- the futex op decides (offcpu.sql).
CREATE OR REPLACE VIEW wait_frame_rules AS
SELECT function, kind, rank FROM (VALUES
  -- kernel locks
  ('__mutex_lock', 'lock', 1), ('__mutex_lock_slowpath', 'lock', 1), ('mutex_lock_killable', 'lock', 1),
  ('mutex_lock_interruptible', 'lock', 1), ('__ww_mutex_lock', 'lock', 1),
  ('rwsem_down_read_slowpath', 'lock', 1), ('rwsem_down_write_slowpath', 'lock', 1),
  ('percpu_rwsem_wait', 'lock', 1), ('__percpu_down_read', 'lock', 1),
  ('rt_mutex_slowlock', 'lock', 1), ('__rt_mutex_slowlock_locked', 'lock', 1), ('rtlock_slowlock_locked', 'lock', 1),
  ('futex_lock_pi', 'lock', 1), ('locks_lock_inode_wait', 'lock', 1), ('flock_lock_inode_wait', 'lock', 1),
  ('posix_lock_inode_wait', 'lock', 1), ('fcntl_setlk', 'lock', 1),
  -- user locks: glibc, C11, GLib, HotSpot, Rust std, parking_lot
  ('__lll_lock_wait', 'lock', 1), ('__lll_lock_wait_private', 'lock', 1), ('__pthread_mutex_lock_full', 'lock', 1),
  ('pthread_mutex_lock', 'lock', 1), ('___pthread_mutex_lock', 'lock', 1), ('__pthread_mutex_lock', 'lock', 1),
  ('pthread_mutex_timedlock', 'lock', 1), ('__pthread_mutex_timedlock', 'lock', 1),
  ('__pthread_mutex_clocklock_common', 'lock', 1), ('__pthread_mutex_cond_lock', 'lock', 1),
  ('__pthread_mutex_cond_lock_full', 'lock', 1),
  ('pthread_rwlock_rdlock', 'lock', 1), ('pthread_rwlock_wrlock', 'lock', 1),
  ('__pthread_rwlock_rdlock', 'lock', 1), ('__pthread_rwlock_wrlock', 'lock', 1),
  ('___pthread_rwlock_rdlock', 'lock', 1), ('___pthread_rwlock_wrlock', 'lock', 1),
  ('__pthread_rwlock_rdlock_full64', 'lock', 1), ('__pthread_rwlock_wrlock_full64', 'lock', 1),
  ('pthread_rwlock_timedrdlock', 'lock', 1), ('pthread_rwlock_timedwrlock', 'lock', 1),
  ('pthread_rwlock_clockrdlock', 'lock', 1), ('pthread_rwlock_clockwrlock', 'lock', 1),
  ('mtx_lock', 'lock', 1), ('mtx_timedlock', 'lock', 1), ('g_mutex_lock_slowpath', 'lock', 1),
  ('ObjectMonitor::enter', 'lock', 1), ('ObjectMonitor::EnterI', 'lock', 1), ('ObjectMonitor::ReenterI', 'lock', 1),
  ('ObjectMonitor::enter_internal', 'lock', 1), ('ObjectSynchronizer::enter', 'lock', 1),
  ('Mutex::lock_contended', 'lock', 1),
  ('std::sys::sync::mutex::futex::Mutex::lock_contended', 'lock', 1),
  ('std::sys::sync::rwlock::futex::RwLock::read_contended', 'lock', 1),
  ('std::sys::sync::rwlock::futex::RwLock::write_contended', 'lock', 1),
  ('parking_lot::raw_mutex::RawMutex::lock_slow', 'lock', 1),
  ('parking_lot::raw_rwlock::RawRwLock::lock_shared_slow', 'lock', 1),
  ('parking_lot::raw_rwlock::RawRwLock::lock_exclusive_slow', 'lock', 1),
  -- another task's end, a signal, a vfork child's exec
  ('pthread_join', 'join', 2), ('___pthread_join', 'join', 2), ('__pthread_join', 'join', 2),
  ('__pthread_clockjoin_ex', 'join', 2), ('pthread_timedjoin_np', 'join', 2), ('pthread_clockjoin_np', 'join', 2),
  ('thrd_join', 'join', 2),
  ('do_wait', 'exit', 2), ('kernel_wait4', 'exit', 2), ('kernel_waitid', 'exit', 2), ('__do_sys_wait4', 'exit', 2),
  ('__do_sys_waitid', 'exit', 2),
  -- syscall entry points: their inner functions get inlined or renamed
  ('__x64_sys_rt_sigsuspend', 'signal', 2), ('__x64_sys_pause', 'signal', 2),
  ('__x64_sys_rt_sigtimedwait', 'signal', 2),
  ('__do_sys_vfork', 'exec', 2), ('__x64_sys_vfork', 'exec', 2), ('wait_for_vfork_done', 'exec', 2),
  -- I/O
  ('io_schedule', 'io', 3), ('io_schedule_timeout', 'io', 3), ('folio_wait_bit_common', 'io', 3),
  ('__folio_lock', 'io', 3), ('__folio_lock_killable', 'io', 3), ('folio_wait_writeback', 'io', 3),
  ('wait_on_page_bit_common', 'io', 3), ('__lock_page', 'io', 3), ('blk_mq_get_tag', 'io', 3),
  ('submit_bio_wait', 'io', 3), ('__filemap_fdatawait_range', 'io', 3), ('jbd2_log_wait_commit', 'io', 3),
  ('wait_for_completion_io', 'io', 3), ('bit_wait_io', 'io', 3), ('__wait_on_buffer', 'io', 3),
  ('nfs_wait_bit_killable', 'io', 3), ('rpc_wait_bit_killable', 'io', 3),
  -- sleeps
  ('do_nanosleep', 'sleep', 4), ('hrtimer_nanosleep', 'sleep', 4), ('common_nsleep', 'sleep', 4),
  ('__x64_sys_nanosleep', 'sleep', 4), ('__x64_sys_clock_nanosleep', 'sleep', 4),
  -- waiting for work or input
  ('pipe_read', 'idle', 5), ('anon_pipe_read', 'idle', 5), ('pipe_wait_readable', 'idle', 5), ('unix_stream_data_wait', 'idle', 5), ('sk_wait_data', 'idle', 5),
  ('__skb_wait_for_more_packets', 'idle', 5), ('n_tty_read', 'idle', 5), ('inet_csk_accept', 'idle', 5),
  ('inet_csk_wait_for_connect', 'idle', 5), ('ep_poll', 'idle', 5), ('do_epoll_wait', 'idle', 5),
  ('do_sys_poll', 'idle', 5), ('do_select', 'idle', 5), ('core_sys_select', 'idle', 5),
  ('io_cqring_wait', 'idle', 5), ('eventfd_read', 'idle', 5), ('inotify_read', 'idle', 5),
  ('smpboot_thread_fn', 'idle', 5), ('worker_thread', 'idle', 5), ('kthread_worker_fn', 'idle', 5),
  ('rescuer_thread', 'idle', 5), ('rcu_gp_kthread', 'idle', 5), ('rcu_tasks_kthread', 'idle', 5),
  ('kswapd', 'idle', 5), ('khugepaged', 'idle', 5), ('kcompactd', 'idle', 5), ('irq_thread', 'idle', 5),
  ('oom_reaper', 'idle', 5), ('kthreadd', 'idle', 5), ('kauditd_thread', 'idle', 5), ('kjournald2', 'idle', 5),
  ('pthread_cond_wait', 'idle', 5), ('___pthread_cond_wait', 'idle', 5), ('__pthread_cond_wait', 'idle', 5),
  ('__pthread_cond_wait_common', 'idle', 5), ('pthread_cond_timedwait', 'idle', 5),
  ('___pthread_cond_timedwait', 'idle', 5), ('__pthread_cond_timedwait', 'idle', 5),
  ('pthread_cond_clockwait', 'idle', 5), ('___pthread_cond_clockwait', 'idle', 5),
  ('sem_wait', 'idle', 5), ('__new_sem_wait', 'idle', 5), ('__new_sem_wait_slow64', 'idle', 5),
  ('sem_timedwait', 'idle', 5), ('sem_clockwait', 'idle', 5), ('cnd_wait', 'idle', 5), ('cnd_timedwait', 'idle', 5),
  ('g_cond_wait', 'idle', 5), ('g_cond_wait_until', 'idle', 5),
  ('PlatformEvent::park', 'idle', 5), ('PlatformEvent::park_nanos', 'idle', 5), ('Parker::park', 'idle', 5),
  ('Unsafe_Park', 'idle', 5), ('Monitor::wait', 'idle', 5), ('Monitor::wait_without_safepoint_check', 'idle', 5),
  ('PlatformMonitor::wait', 'idle', 5),
  ('std::sys::sync::condvar::futex::Condvar::wait', 'idle', 5), ('std::thread::park', 'idle', 5),
  ('runtime.futexsleep', 'idle', 5), ('runtime.notesleep', 'idle', 5), ('runtime.stopm', 'idle', 5)
) rules(function, kind, rank);

CREATE OR REPLACE VIEW wait_stacks AS
-- names matched once per distinct frame, then looked up per stack frame
WITH matched_frames AS (
  SELECT n.frame_id, n.name, r.kind, r.rank
  FROM frame_names n
  JOIN wait_frame_rules r
    ON r.function = regexp_replace(regexp_replace(n.name, '^__GI_', ''),
                                   '(\.(isra|constprop|part|cold|llvm)(\.[0-9]+)?)+$|@.*$|::h[0-9a-f]{16}$', '')
)
SELECT
  f.stack_id,                                           -- stacks.stack_id
  arg_min(m.kind, (m.rank, f.depth)) AS wait_kind,      -- lock | join | exit | exec | signal | io | sleep | idle
  arg_min(m.name, (m.rank, f.depth)) AS wait_frame      -- the frame that says so
FROM stack_frames f
JOIN matched_frames m USING (frame_id)
GROUP BY f.stack_id;
