package dev.profiler.analyzer;

import dev.profiler.formats.CaptureException;
import dev.profiler.formats.CaptureReader;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.Column;
import dev.profiler.formats.Manifest;
import dev.profiler.formats.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;

/**
 * A DuckDB session over one capture: every capture table becomes a DuckDB
 * table of the same name, then the SQL library (views and reports) is
 * loaded on top.
 *
 * Why copy into DuckDB rather than scan the Arrow files: the JDBC driver
 * bundles no Arrow file reader (and no extension can be installed here), and
 * a stream registered through the Arrow C interface can be scanned once
 * only. Copying is fast (measured: 10M rows in ~0.6 s) and lets every
 * query scan the tables as often as it likes.
 */
public final class CaptureDatabase implements AutoCloseable {
    private final CaptureReader capture;
    private final Connection connection;
    private final List<String> warnings = new ArrayList<>();

    private CaptureDatabase(CaptureReader capture, Connection connection) {
        this.capture = capture;
        this.connection = connection;
    }

    public static CaptureDatabase open(Path path) throws CaptureException {
        CaptureReader capture = CaptureReader.open(path);
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:duckdb:");
            CaptureDatabase db = new CaptureDatabase(capture, c);
            db.loadTables();
            db.createCaptureInfo();
            SqlLibrary.load(c);
            return db;
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                if (c != null) c.close();
            } catch (SQLException ignored) {
                // failing already
            }
            capture.close();
            throw new CaptureException(path + ": cannot load the capture (" + oneLine(e) + ")", e);
        }
    }

    private void loadTables() throws SQLException, IOException {
        DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
        try (BufferAllocator allocator = new RootAllocator(); Statement st = connection.createStatement()) {
            for (CaptureTable t : CaptureTable.values()) {
                TableReader reader = capture.openTable(t, allocator);
                if (reader == null) {
                    st.execute(emptyTableDdl(t));
                    if (capture.hasTable(t)) warnings.add(t.tableName() + ": file holds no complete schema; table is empty");
                    continue;
                }
                String streamName = "__arrow_" + t.tableName();
                try (reader; ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
                    Data.exportArrayStream(allocator, reader, stream);
                    duck.registerArrowStream(streamName, stream);
                    st.execute("CREATE TABLE " + t.tableName() + " AS SELECT * FROM " + streamName);
                    if (reader.truncation() != null) warnings.add(reader.truncation());
                }
                addMissingColumns(st, t);
            }
        }
    }

    /**
     * capture_info: the manifest facts the analyses need, as a one-row
     * table. A capture cut short (recorder killed) has no end time in its
     * manifest: its last recorded event is the end then.
     */
    private void createCaptureInfo() throws SQLException {
        Manifest m = capture.manifest();
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE capture_info (start_ns BIGINT, end_ns BIGINT, period_ns BIGINT,"
                + " frequency_hz INTEGER, event_source VARCHAR, cpu_count INTEGER, complete BOOLEAN, recorder_pid INTEGER)");
        }
        String lastEvent = "SELECT max(t) FROM (SELECT max(ts) AS t FROM samples UNION ALL SELECT max(ts) FROM sched_switch"
            + " UNION ALL SELECT max(ts) FROM sched_wakeup UNION ALL SELECT max(ts_end) FROM lock_contention"
            + " UNION ALL SELECT max(ts_end) FROM futex_wait UNION ALL SELECT max(ts_end) FROM irq)";
        try (var ps = connection.prepareStatement("INSERT INTO capture_info VALUES (?, coalesce(?, (" + lastEvent
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
    private void addMissingColumns(Statement st, CaptureTable t) throws SQLException {
        java.util.Set<String> present = new java.util.HashSet<>();
        try (var rs = st.executeQuery("SELECT column_name FROM information_schema.columns WHERE table_name = '"
                + t.tableName() + "'")) {
            while (rs.next()) present.add(rs.getString(1));
        }
        for (Column c : t.columns())
            if (!present.contains(c.name()))
                st.execute("ALTER TABLE " + t.tableName() + " ADD COLUMN " + c.name() + " " + sqlType(c));
    }

    static String emptyTableDdl(CaptureTable t) {
        StringBuilder sb = new StringBuilder("CREATE TABLE " + t.tableName() + " (");
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

    public Connection connection() { return connection; }

    public Manifest manifest() { return capture.manifest(); }

    /** What was recovered rather than read whole (tables cut short). */
    public List<String> warnings() { return warnings; }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing left to do
        }
        capture.close();
    }
}
