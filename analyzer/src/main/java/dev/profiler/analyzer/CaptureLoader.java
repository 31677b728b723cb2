package dev.profiler.analyzer;

import dev.profiler.formats.CaptureReader;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.Column;
import dev.profiler.formats.Manifest;
import dev.profiler.formats.TableReader;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;

/**
 * Copies a capture's tables into DuckDB, each under a name prefix ("" for
 * the session's own, "cache." for an analysis cache being built, "__c0_" for
 * one of several captures), and makes capture_info from its manifest.
 *
 * Why copy rather than scan the Arrow files: the JDBC driver bundles no
 * Arrow file reader (and no extension can be installed here), and a stream
 * registered through the Arrow C interface can be scanned once only.
 */
final class CaptureLoader {
    private CaptureLoader() {}

    /** Every table; what was recovered rather than read whole goes to warnings. */
    static void loadTables(Connection connection, CaptureReader capture, String prefix, List<String> warnings)
            throws SQLException, IOException {
        DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
        try (BufferAllocator allocator = new RootAllocator(); Statement st = connection.createStatement()) {
            for (CaptureTable t : CaptureTable.values()) {
                TableReader reader = capture.openTable(t, allocator);
                if (reader == null) {
                    st.execute(emptyTableDdl(t, prefix));
                    if (capture.hasTable(t)) warnings.add(t.tableName() + ": file holds no complete schema; table is empty");
                    continue;
                }
                String streamName = "__arrow_" + prefix.replace('.', '_') + t.tableName();
                try (reader; ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
                    Data.exportArrayStream(allocator, reader, stream);
                    duck.registerArrowStream(streamName, stream);
                    st.execute("CREATE TABLE " + prefix + t.tableName() + " AS SELECT * FROM " + streamName);
                    st.execute("DROP VIEW IF EXISTS " + streamName); // the stream is spent: leave no name behind
                    if (reader.truncation() != null) warnings.add(reader.truncation());
                }
                addMissingColumns(st, t, prefix);
            }
        }
    }

    /**
     * capture_info: the manifest facts the analyses need, as a one-row
     * table. A capture cut short (recorder killed) has no end time in its
     * manifest: its last recorded event is the end then.
     */
    static void createCaptureInfo(Connection connection, CaptureReader capture, String prefix) throws SQLException {
        Manifest m = capture.manifest();
        String table = prefix + "capture_info";
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE " + table + " (start_ns BIGINT, end_ns BIGINT, period_ns BIGINT,"
                + " frequency_hz INTEGER, event_source VARCHAR, cpu_count INTEGER, complete BOOLEAN, recorder_pid INTEGER)");
        }
        String lastEvent = ("SELECT max(t) FROM (SELECT max(ts) AS t FROM @samples UNION ALL SELECT max(ts) FROM @sched_switch"
            + " UNION ALL SELECT max(ts) FROM @sched_wakeup UNION ALL SELECT max(ts_end) FROM @lock_contention"
            + " UNION ALL SELECT max(ts_end) FROM @futex_wait UNION ALL SELECT max(ts_end) FROM @irq)").replace("@", prefix);
        try (var ps = connection.prepareStatement("INSERT INTO " + table + " VALUES (?, coalesce(?, (" + lastEvent
                + "), ?), ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, m.startNs);
            ps.setObject(2, m.endNs);
            ps.setLong(3, m.startNs);
            ps.setObject(4, m.sampling.periodNs != null ? m.sampling.periodNs
                : m.sampling.frequencyHz > 0 ? 1_000_000_000L / m.sampling.frequencyHz : null);
            ps.setInt(5, m.sampling.frequencyHz);
            ps.setString(6, m.sampling.eventSource);
            ps.setInt(7, m.cpuCount);
            ps.setBoolean(8, m.complete);
            ps.setObject(9, m.options.recorderPid);
            ps.execute();
        }
    }

    /**
     * A capture written before an optional column was added to the format
     * lacks it: add it, all null, so the analyses see one shape.
     */
    private static void addMissingColumns(Statement st, CaptureTable t, String prefix) throws SQLException {
        Set<String> present = new HashSet<>();
        try (var rs = st.executeQuery("DESCRIBE " + prefix + t.tableName())) {
            while (rs.next()) present.add(rs.getString("column_name"));
        }
        for (Column c : t.columns())
            if (!present.contains(c.name()))
                st.execute("ALTER TABLE " + prefix + t.tableName() + " ADD COLUMN " + c.name() + " " + sqlType(c));
    }

    static String emptyTableDdl(CaptureTable t, String prefix) {
        StringBuilder sb = new StringBuilder("CREATE TABLE " + prefix + t.tableName() + " (");
        for (int i = 0; i < t.columns().size(); i++) {
            Column c = t.columns().get(i);
            if (i > 0) sb.append(", ");
            sb.append(c.name()).append(' ').append(sqlType(c));
        }
        return sb.append(')').toString();
    }

    static String sqlType(Column c) {
        return switch (c.kind()) {
            case INT64 -> "BIGINT";
            case INT32 -> "INTEGER";
            case INT16 -> "SMALLINT";
            case BOOL -> "BOOLEAN";
            case STRING, DICT_STRING -> "VARCHAR";
            case INT64_LIST -> "BIGINT[]";
        };
    }
}
