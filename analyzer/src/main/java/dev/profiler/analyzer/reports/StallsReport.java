package dev.profiler.analyzer.reports;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.SQLException;

/** profiler-query stalls: where the machine or a thread stopped making progress, and why. */
public final class StallsReport {
    private StallsReport() {}

    public static int print(CaptureDatabase db, ReportSettings settings, ResultPrinter.Format fmt, PrintStream out)
            throws SQLException, IOException {
        return Report.print("stalls", rs -> headline(rs, settings), db, settings, fmt, out);
    }

    static String headline(ResultSet rs, ReportSettings settings) throws SQLException {
        long n = rs.getLong("stalls");
        String over = String.format("over %s ms in %.1f s of capture%s", threshold(rs.getLong("threshold_ns")),
            rs.getLong("capture_ns") / 1e9, settings.describe());
        String notStalls = rs.getString("not_stalls");
        String leftOut = notStalls == null ? ""
            : "\nLeft out as not stalls: " + notStalls + " (waiting for work or input, sleeping, joining, or a futex"
              + " wait that may be a condition variable); --include-idle lists them.";
        if (n == 0) return "No stalls " + over + "." + leftOut;
        return String.format("%d stall%s %s: %s. Longest: %s of %s ms at %.3f s: %s.%s", n, n == 1 ? "" : "s", over,
            rs.getString("by_kind"), rs.getString("longest_kind"), ms(rs.getLong("longest_ns")),
            rs.getLong("longest_at_ns") / 1e9, rs.getString("longest_cause"), leftOut);
    }

    static String ms(long ns) {
        return String.format("%.1f", ns / 1e6);
    }

    /** A threshold as the user gave it: "50", "0.5". */
    static String threshold(long ns) {
        return ns % 1_000_000 == 0 ? Long.toString(ns / 1_000_000) : Double.toString(ns / 1e6);
    }
}
