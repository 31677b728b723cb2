package dev.profiler.analyzer.reports;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.SQLException;

/** profiler-query top: the hottest functions, and how far the stacks can be trusted. */
public final class TopReport {
    private TopReport() {}

    public static int print(CaptureDatabase db, ReportSettings settings, ResultPrinter.Format fmt, PrintStream out)
            throws SQLException, IOException {
        return Report.print("top", rs -> headline(rs, settings, db), db, settings, fmt, out);
    }

    static String headline(ResultSet rs, ReportSettings settings, CaptureDatabase db) throws SQLException {
        String line = String.format("%,d samples%s (%s, %d Hz); %,d idle; user stack truncated in %,d (%s%%)",
            rs.getLong("samples"), settings.describe(), db.manifest().sampling.eventSource,
            db.manifest().sampling.frequencyHz, rs.getLong("idle_samples"), rs.getLong("truncated_samples"),
            rs.getString("truncated_pct"));
        if (rs.getLong("unwound_samples") > 0)
            line += String.format("%n  unwind tables (--call-graph dwarf): stopped early in %,d (%s%%); frame-pointer steps in %s%%",
                rs.getLong("incomplete_samples"), rs.getString("incomplete_pct"), rs.getString("fell_back_pct"));
        if (rs.getDouble("truncated_pct") >= 10)
            line += rs.getLong("unwound_samples") > 0
                ? "\n  (truncated stacks stopped where neither a table nor a frame pointer led on; callers above the break are undercounted in 'total')"
                : "\n  (truncated stacks come from code without frame pointers: record with --call-graph dwarf; callers above the break are undercounted in 'total')";
        return line;
    }
}
