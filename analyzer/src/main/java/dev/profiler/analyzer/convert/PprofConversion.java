package dev.profiler.analyzer.convert;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.formats.Manifest;
import dev.profiler.formats.pprof.PprofWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A capture as a pprof profile: CPU samples, off-CPU time or lock waits
 * ({@link ProfileKind}), one pprof sample per distinct (stack, thread) of
 * profile_stacks(what), valued in a count and nanoseconds, labelled with
 * pid, tid, thread and process names, and for lock waits the lock's name
 * (`go tool pprof -tagfocus lock=work_lock`). Reads frames and rows from DuckDB
 * one by one, so memory holds frames, not samples. The report filters
 * (only_pid, only_tid, from_ns, to_ns) apply as DuckDB variables.
 */
public final class PprofConversion {
    private PprofConversion() {}

    /** Stands in for a stack that was not recorded (off-CPU time without --offcpu-stacks). */
    static final long NO_STACK_FRAME = 1L << 62;

    static final String FRAMES_SQL = """
        SELECT frame_id, function, module, build_id,
               CASE WHEN kind = 'kernel' THEN address ELSE file_offset END AS address, file, line
        FROM frames""";

    static final String ROWS_SQL = """
        SELECT st.frame_ids, w.pid, w.tid, w.lock, w.count, w.weight_ns, t.name AS thread, p.name AS process
        FROM profile_stacks(?) w
        LEFT JOIN stacks st USING (stack_id)
        LEFT JOIN (SELECT tid, pid, any_value(name) AS name FROM threads GROUP BY tid, pid) t
               ON t.tid = w.tid AND t.pid = w.pid
        LEFT JOIN (SELECT pid, any_value(name) AS name FROM processes GROUP BY pid) p ON p.pid = w.pid
        ORDER BY w.pid, w.tid, w.stack_id, w.lock""";

    /** Writes the profile; returns its totals: {count, ns}. */
    public static long[] write(CaptureDatabase db, ProfileKind kind, OutputStream out, Progress progress)
            throws SQLException, IOException {
        Manifest m = db.manifest();
        long period = kind == ProfileKind.CPU
            ? (m.sampling.periodNs != null ? m.sampling.periodNs : 1_000_000_000L / Math.max(1, m.sampling.frequencyHz))
            : 1;
        long duration = m.endNs == null ? 0 : m.endNs - m.startNs;
        List<String> comments = List.of("recorded by " + m.recorder
                + (m.host == null ? "" : " on " + m.host + " (" + m.kernelRelease + ")"),
            kind == ProfileKind.CPU ? "event: " + m.sampling.eventSource + " at " + m.sampling.frequencyHz + " Hz"
                : kind == ProfileKind.OFFCPU ? "time blocked off CPU, by the stack it blocked in"
                : "time waiting for kernel locks and futexes, by the stack of the wait");
        long count = 0, ns = 0;
        try (PprofWriter w = new PprofWriter(out, List.of(kind.count, kind.time), kind.time, period,
                m.startNs + m.wallClockOffsetNs, duration, comments);
             Statement st = db.connection().createStatement()) {
            try (ResultSet rs = st.executeQuery(FRAMES_SQL)) {
                while (rs.next()) {
                    Object line = rs.getObject("line");
                    w.frame(rs.getLong("frame_id"), new PprofWriter.Frame(rs.getString("function"),
                        rs.getString("module"), rs.getString("build_id"), rs.getLong("address"),
                        rs.getString("file"), line == null ? null : ((Number) line).intValue()));
                }
            }
            w.frame(NO_STACK_FRAME, new PprofWriter.Frame("[stack not recorded]", "[unknown]", null, 0, null, null));
            try (var ps = db.connection().prepareStatement(ROWS_SQL)) {
                ps.setString(1, kind.sqlName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Array ids = rs.getArray("frame_ids");
                        long[] frames = ids == null ? new long[] {NO_STACK_FRAME} : Stacks.frameIds(ids);
                        List<PprofWriter.Label> labels = new ArrayList<>(4);
                        labels.add(new PprofWriter.Label("pid", null, rs.getLong("pid")));
                        labels.add(new PprofWriter.Label("tid", null, rs.getLong("tid")));
                        labels.add(new PprofWriter.Label("thread", rs.getString("thread"), null));
                        labels.add(new PprofWriter.Label("process", rs.getString("process"), null));
                        labels.add(new PprofWriter.Label("lock", rs.getString("lock"), null));
                        long c = rs.getLong("count"), t = rs.getLong("weight_ns");
                        w.sample(frames, new long[] {c, t}, labels);
                        count += c;
                        ns += t;
                        progress.advance(1);
                    }
                }
            }
        }
        return new long[] {count, ns};
    }
}
