-- call_sites: for each stack, the innermost frame of the program itself:
-- the first user frame outside the C library and the dynamic loader. A
-- futex wait's stack starts in libc (pthread_mutex_lock, ...); its call
-- site says which code waited.
-- Builds on: stack_frames.sql.
CREATE OR REPLACE VIEW call_sites AS
SELECT stack_id, arg_min(name, depth) AS call_site
FROM stack_frames
WHERE NOT is_kernel
  AND coalesce(NOT regexp_matches(module, '/(libc|libpthread|ld-linux[^/]*|libstdc\+\+)[.-][^/]*$'), true)
GROUP BY stack_id;
