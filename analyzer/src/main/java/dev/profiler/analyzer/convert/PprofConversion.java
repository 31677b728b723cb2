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
 * CPU profile of a capture as pprof: one pprof sample per distinct
 * (stack, thread), valued in sample count and CPU nanoseconds, labelled with
 * pid, tid, thread and process names. Reads frames and samples from DuckDB
 * row by row, so memory holds frames, not samples.
 */
public final class PprofConversion {
    private PprofConversion() {}

    static final String FRAMES_SQL = """
        SELECT frame_id, function, module, build_id,
               CASE WHEN kind = 'kernel' THEN address ELSE file_offset END AS address, file, line
        FROM frames""";

    static final String SAMPLES_SQL = """
        SELECT st.frame_ids, c.pid, c.tid, c.samples, c.cpu_ns, t.name AS thread, p.name AS process
        FROM sample_counts c
        JOIN stacks st USING (stack_id)
        LEFT JOIN (SELECT tid, pid, any_value(name) AS name FROM threads GROUP BY tid, pid) t
               ON t.tid = c.tid AND t.pid = c.pid
        LEFT JOIN (SELECT pid, any_value(name) AS name FROM processes GROUP BY pid) p ON p.pid = c.pid
        ORDER BY c.pid, c.tid, c.stack_id""";

    /** Returns the number of CPU samples the profile accounts for. */
    public static long write(CaptureDatabase db, OutputStream out) throws SQLException, IOException {
        Manifest m = db.manifest();
        long period = m.sampling.periodNs != null ? m.sampling.periodNs
            : 1_000_000_000L / Math.max(1, m.sampling.frequencyHz);
        long duration = m.endNs == null ? 0 : m.endNs - m.startNs;
        List<String> comments = List.of("recorded by " + m.recorder + " on " + m.host + " (" + m.kernelRelease + ")",
            "event: " + m.sampling.eventSource + " at " + m.sampling.frequencyHz + " Hz");
        long total = 0;
        try (PprofWriter w = new PprofWriter(out,
                List.of(new PprofWriter.ValueType("samples", "count"), new PprofWriter.ValueType("cpu", "nanoseconds")),
                new PprofWriter.ValueType("cpu", "nanoseconds"), period, m.startNs + m.wallClockOffsetNs, duration, comments);
             Statement st = db.connection().createStatement()) {
            try (ResultSet rs = st.executeQuery(FRAMES_SQL)) {
                while (rs.next()) {
                    Object line = rs.getObject("line");
                    w.frame(rs.getLong("frame_id"), new PprofWriter.Frame(rs.getString("function"),
                        rs.getString("module"), rs.getString("build_id"), rs.getLong("address"),
                        rs.getString("file"), line == null ? null : ((Number) line).intValue()));
                }
            }
            try (ResultSet rs = st.executeQuery(SAMPLES_SQL)) {
                while (rs.next()) {
                    long[] frames = longs(rs.getArray("frame_ids"));
                    long samples = rs.getLong("samples");
                    List<PprofWriter.Label> labels = new ArrayList<>(4);
                    labels.add(new PprofWriter.Label("pid", null, rs.getLong("pid")));
                    labels.add(new PprofWriter.Label("tid", null, rs.getLong("tid")));
                    labels.add(new PprofWriter.Label("thread", rs.getString("thread"), null));
                    labels.add(new PprofWriter.Label("process", rs.getString("process"), null));
                    w.sample(frames, new long[] {samples, rs.getLong("cpu_ns")}, labels);
                    total += samples;
                }
            }
        }
        return total;
    }

    static long[] longs(Array a) throws SQLException {
        Object[] items = (Object[]) a.getArray();
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) out[i] = ((Number) items[i]).longValue();
        return out;
    }
}
