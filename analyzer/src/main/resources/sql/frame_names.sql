-- frame_names: every frame with a printable name.
-- Builds on: frames (capture table).
-- A frame without a symbol is named after its module and offset, so it
-- still groups correctly and can be symbolized later from module + build_id;
-- but JIT code no perf map named is one "[jit] unknown": its addresses are
-- not stable (code moves and is freed), so one row per address says nothing.
CREATE OR REPLACE VIEW frame_names AS
SELECT
  frame_id,                                   -- frames.frame_id
  coalesce(function,
           CASE WHEN kind = 'jit' THEN '[jit] unknown' END,
           '[' || coalesce(module, 'unknown') || '+0x' || lower(hex(file_offset)) || ']')
    AS name,                                  -- function name, [jit] unknown, or [module+0xfile_offset]
  module,                                     -- file the code is in
  kind                                        -- kernel | user | jit
FROM frames;
