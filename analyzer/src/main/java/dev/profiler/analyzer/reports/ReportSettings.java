package dev.profiler.analyzer.reports;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The options of a report, handed to its SQL as DuckDB variables
 * (threshold_ns, only_pid, only_tid, from_ns, to_ns, include_idle), so the report files
 * under resources/sql/reports run the same in the shell after a
 * SET VARIABLE. Times given in seconds from the capture's start.
 */
public record ReportSettings(Double thresholdMs, Integer pid, Integer tid, Double sinceS, Double untilS,
                             boolean includeIdle) {
    public static final ReportSettings NONE = new ReportSettings(null, null, null, null, null, false);

    /** Sets the variables on c; captureStartNs turns since/until into capture timestamps. */
    public void apply(Connection c, long captureStartNs) throws SQLException {
        try (Statement st = c.createStatement()) {
            set(st, "threshold_ns", thresholdMs == null ? null : Math.round(thresholdMs * 1e6));
            set(st, "only_pid", pid == null ? null : (long) pid);
            set(st, "only_tid", tid == null ? null : (long) tid);
            set(st, "from_ns", sinceS == null ? null : captureStartNs + Math.round(sinceS * 1e9));
            set(st, "to_ns", untilS == null ? null : captureStartNs + Math.round(untilS * 1e9));
            st.execute("SET VARIABLE include_idle = " + includeIdle);
        }
    }

    private static void set(Statement st, String name, Long value) throws SQLException {
        if (value == null) st.execute("RESET VARIABLE " + name);
        else st.execute("SET VARIABLE " + name + " = " + value + "::BIGINT");
    }

    /** "" or ", pid 42, 1.0-2.5 s": what the report was narrowed to, for its headline. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (pid != null) sb.append(", pid ").append(pid);
        if (tid != null) sb.append(", tid ").append(tid);
        if (sinceS != null || untilS != null)
            sb.append(", ").append(sinceS == null ? "start" : sinceS + " s").append(" to ")
                .append(untilS == null ? "end" : untilS + " s");
        return sb.toString();
    }
}
