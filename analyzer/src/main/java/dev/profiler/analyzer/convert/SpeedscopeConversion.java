package dev.profiler.analyzer.convert;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.formats.speedscope.SpeedscopeWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A capture's CPU samples as speedscope profiles: one per thread, its
 * samples in time order (speedscope's time-order view replays them),
 * weighted in nanoseconds of CPU. Idle (pid 0) is left out. Reads samples
 * from DuckDB in (thread, time) order, row by row. The report filters
 * (only_pid, only_tid, from_ns, to_ns) apply as DuckDB variables.
 */
public final class SpeedscopeConversion {
    private SpeedscopeConversion() {}

    static final String FRAMES_SQL = """
        SELECT n.frame_id, n.name, coalesce(f.file, n.module) AS file, f.line
        FROM frame_names n JOIN frames f USING (frame_id)""";

    static final String SAMPLES_SQL = """
        SELECT s.tid, s.pid, s.ts, s.weight, st.frame_ids,
               coalesce(t.name, '?') || ' (tid ' || s.tid || ', ' || coalesce(p.name, 'pid ' || s.pid) || ')' AS profile
        FROM samples s
        LEFT JOIN stacks st USING (stack_id)
        LEFT JOIN (SELECT tid, any_value(name) AS name FROM threads GROUP BY tid) t ON t.tid = s.tid
        LEFT JOIN (SELECT pid, any_value(name) AS name FROM processes GROUP BY pid) p ON p.pid = s.pid
        WHERE s.pid <> 0
          AND (getvariable('only_pid') IS NULL OR s.pid = getvariable('only_pid'))
          AND (getvariable('only_tid') IS NULL OR s.tid = getvariable('only_tid'))
          AND (getvariable('from_ns') IS NULL OR s.ts >= getvariable('from_ns'))
          AND (getvariable('to_ns') IS NULL OR s.ts <= getvariable('to_ns'))
        ORDER BY s.tid, s.ts""";

    /** Writes the file; returns the number of samples in it. */
    public static long write(CaptureDatabase db, String name, OutputStream out, Progress progress)
            throws SQLException, IOException {
        long startNs = db.manifest().startNs, count = 0;
        Map<Long, SpeedscopeWriter.Frame> frames = new HashMap<>();
        try (Statement st = db.connection().createStatement(); SpeedscopeWriter w = new SpeedscopeWriter(out, name)) {
            try (ResultSet rs = st.executeQuery(FRAMES_SQL)) {
                while (rs.next()) {
                    Object line = rs.getObject("line");
                    frames.put(rs.getLong("frame_id"), new SpeedscopeWriter.Frame(rs.getString("name"), rs.getString("file"),
                        line == null ? null : ((Number) line).intValue()));
                }
            }
            SpeedscopeWriter.Frame unknown = new SpeedscopeWriter.Frame("[stack not recorded]", null, null);
            long currentTid = Long.MIN_VALUE;
            try (ResultSet rs = st.executeQuery(SAMPLES_SQL)) {
                while (rs.next()) {
                    long tid = rs.getLong("tid");
                    if (tid != currentTid) {
                        currentTid = tid;
                        w.beginProfile(rs.getString("profile"), rs.getLong("ts") - startNs);
                    }
                    Array ids = rs.getArray("frame_ids");
                    Object[] leafFirst = ids == null ? new Object[0] : (Object[]) ids.getArray();
                    int[] stack = new int[Math.max(1, leafFirst.length)];
                    if (leafFirst.length == 0) stack[0] = w.frame(-1, unknown);
                    for (int i = 0; i < leafFirst.length; i++) {
                        long id = ((Number) leafFirst[leafFirst.length - 1 - i]).longValue();
                        stack[i] = w.frame(id, frames.getOrDefault(id, new SpeedscopeWriter.Frame("[frame " + id + "]", null, null)));
                    }
                    w.sample(stack, rs.getLong("weight"));
                    count++;
                    progress.advance(1);
                }
            }
        }
        return count;
    }
}
