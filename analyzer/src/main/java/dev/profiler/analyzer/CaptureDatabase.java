package dev.profiler.analyzer;

import dev.profiler.formats.CaptureException;
import dev.profiler.formats.CaptureReader;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.Column;
import dev.profiler.formats.Manifest;
import dev.profiler.formats.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
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
    private final List<CaptureReader> captures;
    private final Connection connection;
    private final List<String> warnings = new ArrayList<>();
    /** Where DuckDB spills what does not fit in its memory limit; removed at close. */
    private Path spillDir;

    private CaptureDatabase(List<CaptureReader> captures, Connection connection) {
        this.captures = captures;
        this.connection = connection;
    }

    public static CaptureDatabase open(Path path) throws CaptureException {
        return open(List.of(path));
    }

    /**
     * One capture: its tables, capture_info and the analyses. Several: each
     * table is the union of theirs, with a first column `capture` (the
     * capture's file name without .cap); the analyses are not loaded, as
     * they assume one capture (ids restart in each).
     */
    public static CaptureDatabase open(List<Path> paths) throws CaptureException {
        List<CaptureReader> readers = new ArrayList<>();
        Connection c = null;
        Path current = paths.get(0);
        try {
            for (Path p : paths) {
                current = p;
                readers.add(CaptureReader.open(p));
            }
            c = DriverManager.getConnection("jdbc:duckdb:");
            CaptureDatabase db = new CaptureDatabase(readers, c);
            db.limitMemory();
            if (readers.size() == 1) {
                current = paths.get(0);
                db.loadTables(readers.get(0), "");
                db.createCaptureInfo(readers.get(0), "capture_info");
                SqlLibrary.load(c);
            } else {
                List<String> names = captureNames(paths);
                for (int i = 0; i < readers.size(); i++) {
                    current = paths.get(i);
                    db.loadTables(readers.get(i), "__c" + i + "_");
                    db.createCaptureInfo(readers.get(i), "__c" + i + "_capture_info");
                }
                db.union(names);
            }
            return db;
        } catch (CaptureException e) {
            closeAll(c, readers);
            throw e;
        } catch (SQLException | IOException | RuntimeException e) {
            closeAll(c, readers);
            throw new CaptureException(current + ": cannot load the capture (" + oneLine(e) + ")", e);
        }
    }

    /** DuckDB's memory limit unless PROFILER_QUERY_MEMORY_LIMIT says otherwise (a DuckDB size: 4GB, 800MB). */
    static final String DEFAULT_MEMORY_LIMIT = "1536MB";

    /**
     * Keeps DuckDB within a memory limit (by default 80% of RAM: 7.3 GB of
     * peak RSS for the stalls report on 10M samples + 10M switches here;
     * with 1.5 GB it stays under 2 GB, ~40% slower), spilling what does not
     * fit to a directory of its own under java.io.tmpdir, removed at close,
     * not to ./.tmp in whatever directory the user is in.
     */
    private void limitMemory() throws SQLException, IOException {
        String limit = System.getenv().getOrDefault("PROFILER_QUERY_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT);
        if (!limit.matches("[0-9]+(\\.[0-9]+)?\\s*[KMGT]?i?B"))
            throw new IOException("PROFILER_QUERY_MEMORY_LIMIT=" + limit + " is not a size like 1536MB or 4GB");
        spillDir = Files.createTempDirectory("profiler-query-");
        try (Statement st = connection.createStatement()) {
            st.execute("SET memory_limit = '" + limit + "'");
            st.execute("SET temp_directory = '" + spillDir.toString().replace("'", "''") + "'");
        }
    }


    private static void closeAll(Connection c, List<CaptureReader> readers) {
        try {
            if (c != null) c.close();
        } catch (SQLException ignored) {
            // failing already
        }
        for (CaptureReader r : readers) r.close();
    }

    /** a.cap, x/b.cap.tar -> a, b; a name given twice gets its position appended. */
    static List<String> captureNames(List<Path> paths) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String n = paths.get(i).toAbsolutePath().normalize().getFileName().toString().replaceAll("\\.cap(\\.tar)?$", "");
            names.add(names.contains(n) ? n + "#" + (i + 1) : n);
        }
        return names;
    }

    /** Every table, and capture_info, as the union of the loaded captures' with a capture column. */
    private void union(List<String> names) throws SQLException {
        List<String> tables = new ArrayList<>();
        for (CaptureTable t : CaptureTable.values()) tables.add(t.tableName());
        tables.add("capture_info");
        try (Statement st = connection.createStatement()) {
            for (String t : tables) {
                StringBuilder sql = new StringBuilder("CREATE TABLE " + t + " AS ");
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) sql.append(" UNION ALL BY NAME ");
                    sql.append("SELECT '").append(names.get(i).replace("'", "''")).append("' AS capture, * FROM __c")
                        .append(i).append('_').append(t);
                }
                st.execute(sql.toString());
                for (int i = 0; i < names.size(); i++) st.execute("DROP TABLE __c" + i + "_" + t);
            }
        }
    }

    private void loadTables(CaptureReader capture, String prefix) throws SQLException, IOException {
        DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
        try (BufferAllocator allocator = new RootAllocator(); Statement st = connection.createStatement()) {
            for (CaptureTable t : CaptureTable.values()) {
                TableReader reader = capture.openTable(t, allocator);
                if (reader == null) {
                    st.execute(emptyTableDdl(t, prefix));
                    if (capture.hasTable(t)) warnings.add(t.tableName() + ": file holds no complete schema; table is empty");
                    continue;
                }
                String streamName = "__arrow_" + prefix + t.tableName();
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
    private void createCaptureInfo(CaptureReader capture, String table) throws SQLException {
        Manifest m = capture.manifest();
        String prefix = table.substring(0, table.length() - "capture_info".length());
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
    private void addMissingColumns(Statement st, CaptureTable t, String prefix) throws SQLException {
        Set<String> present = new HashSet<>();
        try (var rs = st.executeQuery("SELECT column_name FROM information_schema.columns WHERE table_name = '"
                + prefix + t.tableName() + "'")) {
            while (rs.next()) present.add(rs.getString(1));
        }
        for (Column c : t.columns())
            if (!present.contains(c.name()))
                st.execute("ALTER TABLE " + prefix + t.tableName() + " ADD COLUMN " + c.name() + " " + sqlType(c));
    }

    static String emptyTableDdl(CaptureTable t) {
        return emptyTableDdl(t, "");
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

    public Connection connection() { return connection; }

    /** The (first) capture's manifest. */
    public Manifest manifest() { return captures.get(0).manifest(); }

    /** How many captures this session holds. */
    public int captureCount() { return captures.size(); }

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
        for (CaptureReader r : captures) r.close();
        if (spillDir != null) {
            try (var files = Files.walk(spillDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a spill file left in the temp directory is harmless
            }
        }
    }
}
