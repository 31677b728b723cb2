package dev.profiler.analyzer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The analyses, as SQL files under resources/sql. Each file says at its top
 * which files it builds on; they are loaded in the order of {@link #FILES}.
 * Reports (queries users run by name) live under resources/sql/reports.
 */
public final class SqlLibrary {
    /** Views, in dependency order. */
    static final List<String> FILES = List.of(
        "report_scope.sql",
        "kernel_lock_type.sql",
        "frame_names.sql",
        "stack_frames.sql",
        "sample_counts.sql",
        "stack_text.sql",
        "spin_stacks.sql",
        "call_sites.sql",
        "thread_states.sql",
        "sched_latency.sql",
        "wait_stacks.sql",
        "wait_syscalls.sql",
        "offcpu.sql",
        "waits.sql",
        "waiting_for_work.sql",
        "critical_path.sql",
        "cpu_silences.sql",
        "cpu_runs.sql",
        "spin_runs.sql",
        "stalls.sql",
        "lock_time.sql",
        "flame.sql",
        "profile_stacks.sql");

    /**
     * The views an analysis cache holds computed, in dependency order: each
     * takes seconds on a big capture (a window over every scheduler event or
     * sample, or a join with one), and the reports read them every time.
     * The per-stack views come first: a real capture has tens of thousands
     * of distinct stacks, and unnesting and matching all their frames took
     * ~0.3-0.4 s each per report on a 20 s recording of a build. They are
     * the same views either way: a session without a cache computes them
     * on demand.
     */
    static final List<String> CACHED = List.of(
        "stack_lines",
        "call_sites",
        "spin_stacks",
        "wait_stacks",
        "thread_states",
        "offcpu",
        "cpu_silences",
        "cpu_runs",
        "spin_runs",
        "lock_waits");

    private SqlLibrary() {}

    static void load(Connection c) throws SQLException, IOException {
        try (Statement st = c.createStatement()) {
            for (String f : FILES) st.execute(resource("sql/" + f));
        }
    }

    /** The text of a report query (resources/sql/reports/NAME.sql), or null. */
    public static String report(String name) throws IOException {
        if (!name.matches("[a-z_]+")) return null;
        try (InputStream in = SqlLibrary.class.getClassLoader().getResourceAsStream("sql/reports/" + name + ".sql")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String resource(String path) throws IOException {
        try (InputStream in = SqlLibrary.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) throw new IOException("missing SQL resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
