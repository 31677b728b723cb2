-- frame_names: every frame with a printable name.
-- Builds on: frames (capture table).
-- A frame without a symbol is named after its module and offset, so it
-- still groups correctly and can be symbolized later from module + build_id.
CREATE OR REPLACE VIEW frame_names AS
SELECT
  frame_id,                                   -- frames.frame_id
  coalesce(function,
           '[' || coalesce(module, 'unknown') || '+0x' || lower(hex(file_offset)) || ']')
    AS name,                                  -- function name, or [module+0xfile_offset]
  module,                                     -- file the code is in
  kind                                        -- kernel | user | jit
FROM frames;
