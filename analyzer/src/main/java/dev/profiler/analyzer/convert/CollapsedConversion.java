package dev.profiler.analyzer.convert;

import dev.profiler.analyzer.CaptureDatabase;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Collapsed stacks, the input of flamegraph.pl, inferno, speedscope and
 * friends: one line per distinct stack, "process;root;...;leaf weight".
 * The weight is the number of samples for CPU profiles (as
 * stackcollapse-perf.pl counts them) and nanoseconds for off-CPU and lock
 * profiles (their rows are intervals, not samples). The process is the root
 * frame, as stackcollapse-perf.pl puts the command name there; idle CPU
 * time is under "idle".
 */
public final class CollapsedConversion {
    private CollapsedConversion() {}

    static final String SQL = """
        SELECT CASE WHEN w.pid = 0 THEN 'idle' ELSE replace(coalesce(p.name, 'pid ' || w.pid), ';', ':') END
                 || ';' || coalesce(f.folded, '[stack not recorded]') AS folded,
               sum(CASE WHEN ? THEN w.count ELSE w.weight_ns END) AS weight
        FROM profile_stacks(?) w
        LEFT JOIN folded_stacks f USING (stack_id)
        LEFT JOIN (SELECT pid, any_value(name) AS name FROM processes GROUP BY pid) p ON p.pid = w.pid
        GROUP BY 1
        ORDER BY 1""";

    /** Writes the lines; returns the sum of their weights. */
    public static long write(CaptureDatabase db, ProfileKind kind, OutputStream out, Progress progress)
            throws SQLException, IOException {
        long total = 0;
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        try (PreparedStatement ps = db.connection().prepareStatement(SQL)) {
            ps.setBoolean(1, kind == ProfileKind.CPU);
            ps.setString(2, kind.sqlName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long weight = rs.getLong(2);
                    // a name with a newline would start a line of its own
                    w.write(rs.getString(1).replace('\n', ' '));
                    w.write(' ');
                    w.write(Long.toString(weight));
                    w.write('\n');
                    total += weight;
                    progress.advance(1);
                }
            }
        }
        w.flush();
        return total;
    }
}
