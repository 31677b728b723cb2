package dev.profiler.analyzer;

import dev.profiler.formats.CaptureException;
import dev.profiler.formats.CaptureReader;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A DuckDB session over one capture: every capture table is a table (or a
 * view of the analysis cache's copy) of the same name, with the SQL library
 * (views, macros, reports) on top.
 *
 * One capture is read through its analysis cache ({@link AnalysisCache}):
 * built on first open, attached read-only after. Without a cache (turned
 * off, or nowhere to write one) the tables are copied into memory and the
 * analyses computed by each query that needs them. Several captures are
 * always copied: each table is the union of theirs.
 */
public final class CaptureDatabase implements AutoCloseable {
    /** Whether to read a capture through its analysis cache. */
    public enum CacheUse { USE, OFF }

    /** What happened to the analysis cache when this session opened. */
    public enum CacheState { REUSED, BUILT, NONE }

    private final List<CaptureReader> captures;
    private final Connection connection;
    private final List<String> warnings = new ArrayList<>();
    /** Where DuckDB spills what does not fit in its memory limit; removed at close. */
    private final Path spillDir;
    private CacheState cacheState = CacheState.NONE;
    private Path cacheFile;

    private CaptureDatabase(List<CaptureReader> captures, Connection connection, Path spillDir) {
        this.captures = captures;
        this.connection = connection;
        this.spillDir = spillDir;
    }

    public static CaptureDatabase open(Path path) throws CaptureException {
        return open(List.of(path), CacheUse.USE, message -> {});
    }

    public static CaptureDatabase open(List<Path> paths) throws CaptureException {
        return open(paths, CacheUse.USE, message -> {});
    }

    /**
     * One capture: its tables, capture_info and the analyses. Several: each
     * table is the union of theirs, with a first column `capture` (the
     * capture's file name without .cap); the analyses are not loaded, as
     * they assume one capture (ids restart in each). progress hears of slow
     * steps (building the analysis cache).
     */
    public static CaptureDatabase open(List<Path> paths, CacheUse cache, Consumer<String> progress) throws CaptureException {
        return open(paths, cache, AnalysisCache.userCacheDir(), progress);
    }

    static CaptureDatabase open(List<Path> paths, CacheUse cache, Path userCacheDir, Consumer<String> progress)
            throws CaptureException {
        List<CaptureReader> readers = new ArrayList<>();
        Connection c = null;
        Path spill = null;
        Path current = paths.get(0);
        try {
            for (Path p : paths) {
                current = p;
                readers.add(CaptureReader.open(p));
            }
            spill = Files.createTempDirectory("profiler-query-");
            c = newConnection(spill);
            CaptureDatabase db = new CaptureDatabase(readers, c, spill);
            if (readers.size() == 1) {
                current = paths.get(0);
                if (cache == CacheUse.OFF || !db.openThroughCache(paths.get(0), userCacheDir, progress)) {
                    CaptureLoader.loadTables(c, readers.get(0), "", db.warnings);
                    CaptureLoader.createCaptureInfo(c, readers.get(0), "");
                    SqlLibrary.load(c);
                }
            } else {
                List<String> names = captureNames(paths);
                for (int i = 0; i < readers.size(); i++) {
                    current = paths.get(i);
                    CaptureLoader.loadTables(c, readers.get(i), "__c" + i + "_", db.warnings);
                    CaptureLoader.createCaptureInfo(c, readers.get(i), "__c" + i + "_");
                }
                db.union(names);
            }
            return db;
        } catch (CaptureException e) {
            closeAll(c, readers, spill);
            throw e;
        } catch (SQLException | IOException | RuntimeException e) {
            closeAll(c, readers, spill);
            throw new CaptureException(current + ": cannot load the capture (" + oneLine(e) + ")", e);
        }
    }

    /**
     * Attaches the capture's analysis cache, building it first if no place
     * holds a current one. False, with a warning, when no place can hold one
     * (the caller then loads the capture into memory).
     */
    private boolean openThroughCache(Path capture, Path userCacheDir, Consumer<String> progress) throws IOException, SQLException {
        String key = AnalysisCache.key(capture);
        List<Path> places = AnalysisCache.locations(capture, userCacheDir);
        for (Path place : places) {
            if (AnalysisCache.isCurrent(connection, place, key)) {
                attachCache(place, CacheState.REUSED);
                return true;
            }
        }
        List<String> failures = new ArrayList<>();
        for (Path place : places) {
            try {
                AnalysisCache.build(captures.get(0), place, key, spillDir, progress);
                attachCache(place, CacheState.BUILT);
                return true;
            } catch (IOException | SQLException e) {
                failures.add(place + ": " + oneLine(e));
            }
        }
        warnings.add("no analysis cache (" + String.join("; ", failures) + "): every query computes the analyses it needs");
        return false;
    }

    /** The cache's tables as views of the same names, the library, and the cached analyses in place of theirs. */
    private void attachCache(Path place, CacheState state) throws SQLException, IOException {
        try (Statement st = connection.createStatement()) {
            st.execute("ATTACH " + AnalysisCache.literal(place) + " AS cache (READ_ONLY)");
            for (String table : AnalysisCache.captureTables())
                st.execute("CREATE VIEW " + table + " AS FROM cache." + table);
            SqlLibrary.load(connection);
            for (String view : SqlLibrary.CACHED)
                st.execute("CREATE OR REPLACE VIEW " + view + " AS FROM cache." + view);
            try (ResultSet rs = st.executeQuery("SELECT message FROM cache.cache_warnings")) {
                while (rs.next()) warnings.add(rs.getString(1));
            }
        }
        cacheFile = place;
        cacheState = state;
    }

    /** An in-memory DuckDB, held to the memory limit, spilling into spillDir. */
    static Connection newConnection(Path spillDir) throws SQLException, IOException {
        Connection c = DriverManager.getConnection("jdbc:duckdb:");
        try {
            limitMemory(c, spillDir);
            return c;
        } catch (SQLException | IOException e) {
            c.close();
            throw e;
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
    private static void limitMemory(Connection connection, Path spillDir) throws SQLException, IOException {
        String limit = System.getenv().getOrDefault("PROFILER_QUERY_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT);
        if (!limit.matches("[0-9]+(\\.[0-9]+)?\\s*[KMGT]?i?B"))
            throw new IOException("PROFILER_QUERY_MEMORY_LIMIT=" + limit + " is not a size like 1536MB or 4GB");
        try (Statement st = connection.createStatement()) {
            st.execute("SET memory_limit = '" + limit + "'");
            st.execute("SET temp_directory = '" + spillDir.toString().replace("'", "''") + "'");
        }
    }

    private static void closeAll(Connection c, List<CaptureReader> readers, Path spillDir) {
        try {
            if (c != null) c.close();
        } catch (SQLException ignored) {
            // failing already
        }
        for (CaptureReader r : readers) r.close();
        deleteTree(spillDir);
    }

    /** Removes a directory and what it holds, as far as it can. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a spill file left in the temp directory is harmless
        }
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

    public Connection connection() { return connection; }

    /** The (first) capture's manifest. */
    public Manifest manifest() { return captures.get(0).manifest(); }

    /** How many captures this session holds. */
    public int captureCount() { return captures.size(); }

    /** Whether the analysis cache was reused, built, or not used. */
    public CacheState cacheState() { return cacheState; }

    /** The analyses this session reads computed from its cache (none without a cache). */
    public List<String> cachedViews() { return cacheState == CacheState.NONE ? List.of() : SqlLibrary.CACHED; }

    /** The capture's tables, and capture_info (views of the cache's copies when there is a cache). */
    public static List<String> captureTables() { return AnalysisCache.captureTables(); }

    /** The analysis cache this session reads, or null. */
    public Path cacheFile() { return cacheFile; }

    /** What was recovered rather than read whole (tables cut short), and a cache that could not be written. */
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
        deleteTree(spillDir);
    }
}
