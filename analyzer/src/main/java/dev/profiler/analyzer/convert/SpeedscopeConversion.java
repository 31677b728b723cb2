package dev.profiler.analyzer.convert;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.formats.speedscope.SpeedscopeWriter;
import java.io.IOException;
import java.io.OutputStream;
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
        SELECT tid, ts, weight, stack_id
        FROM samples
        WHERE pid <> 0
          AND in_report_threads(pid, tid) AND in_report_range(ts, ts)
        ORDER BY tid, ts""";

    /** Each thread's profile name: "name (tid N, process)". */
    static final String PROFILE_NAMES_SQL = """
        SELECT s.tid, coalesce(any_value(t.name), '?') || ' (tid ' || s.tid || ', '
                      || coalesce(any_value(p.name), 'pid ' || any_value(s.pid)) || ')'
        FROM (SELECT DISTINCT tid, pid FROM samples WHERE pid <> 0) s
        LEFT JOIN threads t ON t.tid = s.tid
        LEFT JOIN processes p ON p.pid = s.pid
        GROUP BY s.tid""";

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
            // each distinct stack's frame indices, root first, made on its first sample
            Map<Long, long[]> stackFrames = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT stack_id, frame_ids FROM stacks")) {
                while (rs.next()) {
                    stackFrames.put(rs.getLong(1), Stacks.frameIds(rs.getArray(2)));
                }
            }
            Map<Long, String> profileNames = new HashMap<>();
            try (ResultSet rs = st.executeQuery(PROFILE_NAMES_SQL)) {
                while (rs.next()) profileNames.put(rs.getLong(1), rs.getString(2));
            }
            Map<Long, int[]> stacks = new HashMap<>();
            int[] unknown = {w.frame(-1, new SpeedscopeWriter.Frame("[stack not recorded]", null, null))};
            long currentTid = Long.MIN_VALUE;
            try (ResultSet rs = st.executeQuery(SAMPLES_SQL)) {
                while (rs.next()) {
                    long tid = rs.getLong(1);
                    if (tid != currentTid) {
                        currentTid = tid;
                        w.beginProfile(profileNames.getOrDefault(tid, "tid " + tid), rs.getLong(2) - startNs);
                    }
                    long stackId = rs.getLong(4);
                    int[] stack = rs.wasNull() ? unknown : stacks.get(stackId);
                    if (stack == null) {
                        long[] leafFirst = stackFrames.getOrDefault(stackId, new long[0]);
                        stack = leafFirst.length == 0 ? unknown : new int[leafFirst.length];
                        for (int i = 0; i < leafFirst.length; i++) {
                            long id = leafFirst[leafFirst.length - 1 - i];
                            stack[i] = w.frame(id, frames.getOrDefault(id, new SpeedscopeWriter.Frame("[frame " + id + "]", null, null)));
                        }
                        stacks.put(stackId, stack);
                    }
                    w.sample(stack, rs.getLong(3));
                    count++;
                    progress.advance(1);
                }
            }
        }
        return count;
    }
}
