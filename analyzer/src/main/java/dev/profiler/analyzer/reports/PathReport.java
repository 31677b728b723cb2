package dev.profiler.analyzer.reports;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.SQLException;

/** profiler-query path --tid T: why did this thread take so long (its critical path). */
public final class PathReport {
    private PathReport() {}

    public static int print(CaptureDatabase db, ReportSettings settings, ResultPrinter.Format fmt, PrintStream out)
            throws SQLException, IOException {
        return Report.print("path", rs -> headline(rs, settings), db, settings, fmt, out);
    }

    static String headline(ResultSet rs, ReportSettings settings) throws SQLException {
        long covered = rs.getLong("covered_ns");
        String who = (rs.getString("thread") == null ? "?" : rs.getString("thread")) + " (tid " + settings.tid() + ")";
        if (covered == 0) return "No recorded states of " + who + settings.describe() + ".";
        String line = String.format("%s, %.3f-%.3f s (%s ms covered): running %s ms, waiting for a CPU %s ms, blocked %s ms.",
            who, rs.getLong("from_ns") / 1e9, rs.getLong("to_ns") / 1e9, StallsReport.ms(covered),
            StallsReport.ms(rs.getLong("running_ns")), StallsReport.ms(rs.getLong("runnable_ns")),
            StallsReport.ms(rs.getLong("blocked_ns")));
        long helped = rs.getLong("helpers_running_ns");
        if (rs.getLong("blocked_ns") > 0)
            line += String.format("%nWhile blocked: other threads ran %s ms on its behalf%s, waited for a CPU %s ms;"
                    + " the rest is waits no thread ended (devices, timers) or could be followed.",
                StallsReport.ms(helped), helped > 0 ? " (" + rs.getString("top_helpers") + ")" : "",
                StallsReport.ms(rs.getLong("helpers_runnable_ns")));
        return line;
    }
}
