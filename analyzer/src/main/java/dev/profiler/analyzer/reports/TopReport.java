package dev.profiler.analyzer.reports;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import dev.profiler.analyzer.SqlLibrary;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** profiler-query top: the hottest functions, and how far the stacks can be trusted. */
public final class TopReport {
    private TopReport() {}

    public static int print(CaptureDatabase db, ReportSettings settings, ResultPrinter.Format fmt, PrintStream out)
            throws SQLException, IOException {
        settings.apply(db.connection(), db.manifest().startNs);
        try (Statement st = db.connection().createStatement()) {
            if (fmt == ResultPrinter.Format.TABLE) {
                try (ResultSet rs = st.executeQuery(SqlLibrary.report("top_summary"))) {
                    rs.next();
                    long samples = rs.getLong("samples");
                    out.printf("%,d samples%s (%s, %d Hz); %,d idle; user stack truncated in %,d (%s%%)%n",
                        samples, settings.describe(), db.manifest().sampling.eventSource, db.manifest().sampling.frequencyHz,
                        rs.getLong("idle_samples"), rs.getLong("truncated_samples"), rs.getString("truncated_pct"));
                    if (rs.getDouble("truncated_pct") >= 10)
                        out.println("  (truncated stacks come from code without frame pointers; callers above the break are undercounted in 'total')");
                }
                out.println();
            }
            try (ResultSet rs = st.executeQuery(SqlLibrary.report("top"))) {
                ResultPrinter.print(rs, fmt, out);
            }
        }
        return 0;
    }
}
