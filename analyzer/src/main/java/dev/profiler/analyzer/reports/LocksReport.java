package dev.profiler.analyzer.reports;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import dev.profiler.formats.Manifest;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.SQLException;

/** profiler-query locks: which locks threads waited for, and how long. */
public final class LocksReport {
    private LocksReport() {}

    public static int print(CaptureDatabase db, ReportSettings settings, ResultPrinter.Format fmt, PrintStream out)
            throws SQLException, IOException {
        return Report.print("locks", rs -> headline(rs, settings, db), db, settings, fmt, out);
    }

    /**
     * Whether lock contention or futex waits were recorded: the manifest's
     * list of sources, or in a capture made before it, the recorder's own
     * options (the arguments before `--`: those after it are the command's).
     */
    static boolean locksRecorded(Manifest.Options options) {
        if (options.sources != null) return options.sources.contains("locks") || options.sources.contains("futex");
        for (String a : options.arguments) {
            if (a.equals("--")) return false;
            if (a.equals("--locks") || a.equals("--futex") || a.equals("--all")) return true;
        }
        return false;
    }

    static String headline(ResultSet rs, ReportSettings settings, CaptureDatabase db) throws SQLException {
        long locks = rs.getLong("locks");
        String notLocks = rs.getString("not_locks");
        String leftOut = notLocks == null ? ""
            : "\nFutex waits left out as not lock waits: " + notLocks + " (idle: waiting for work, see the"
              + " waiting_for_work view; futex-wait: FUTEX_WAIT_BITSET, a condition variable or a lock, which off-CPU"
              + " stacks that reach the caller tell apart).";
        if (locks == 0) {
            boolean recorded = locksRecorded(db.manifest().options);
            return "No lock waits" + settings.describe() + "."
                + (recorded ? "" : " (Lock waits are recorded with profiler-rec --locks, --futex or --all.)") + leftOut;
        }
        Object share = rs.getObject("top_share_pct");
        return String.format("%,d waits on %d lock%s%s, %s ms in all. Most waited for: %s, %s ms by %d thread%s%s.%s",
            rs.getLong("waits"), locks, locks == 1 ? "" : "s", settings.describe(),
            StallsReport.ms(rs.getLong("total_wait_ns")), rs.getString("top_lock"),
            StallsReport.ms(rs.getLong("top_wait_ns")), rs.getLong("top_waiters"), rs.getLong("top_waiters") == 1 ? "" : "s",
            share == null ? "" : String.format(" (%s%% of their recorded time)", share), leftOut);
    }
}
