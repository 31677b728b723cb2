package dev.profiler.analyzer.reports;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import dev.profiler.analyzer.SqlLibrary;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What every report does: hand its settings to the SQL, print a headline
 * made from reports/NAME_summary.sql (table format only), then the rows of
 * reports/NAME.sql.
 */
final class Report {
    /** Turns the one row of NAME_summary.sql into the lines above the table. */
    interface Headline {
        String from(ResultSet summary) throws SQLException;
    }

    private Report() {}

    static int print(String name, Headline headline, CaptureDatabase db, ReportSettings settings,
                     ResultPrinter.Format fmt, PrintStream out) throws SQLException, IOException {
        settings.apply(db.connection(), db.manifest().startNs);
        try (Statement st = db.connection().createStatement()) {
            if (fmt == ResultPrinter.Format.TABLE) {
                try (ResultSet rs = st.executeQuery(SqlLibrary.report(name + "_summary"))) {
                    rs.next();
                    out.println(headline.from(rs));
                }
                out.println();
            }
            try (ResultSet rs = st.executeQuery(SqlLibrary.report(name))) {
                ResultPrinter.print(rs, fmt, out);
            }
        }
        return 0;
    }
}
