package dev.profiler.analyzer;

import dev.profiler.formats.CaptureReader;
import dev.profiler.formats.CaptureTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Where a capture's analysis cache lives, and the key that says whether a
 * cache file still matches the capture.
 *
 * The cache is a DuckDB file holding the capture's tables and the analyses
 * that cost most to compute ({@link SqlLibrary#CACHED}), built the first
 * time the capture is opened. Later sessions attach it read-only: they start
 * without copying the capture into DuckDB and their reports read the
 * computed analyses instead of recomputing them (on 10M samples + 10M
 * switches: seconds, not minutes, per report).
 *
 * It sits beside the capture (run.cap -> run.cap.duckdb), or, where that
 * directory cannot be written, in the user's cache directory. Its key covers
 * the capture's files (names, sizes, modification times) and the text of
 * the SQL library, so a capture that changed, or an analyzer whose analyses
 * changed, builds it again.
 */
final class AnalysisCache {
    /** Bump when what the cache holds changes shape without the SQL changing. */
    private static final String LAYOUT = "analysis-cache 1";

    private AnalysisCache() {}

    /** The capture's tables, and capture_info: the cache holds each under its own name. */
    static List<String> captureTables() {
        List<String> names = new ArrayList<>();
        for (CaptureTable t : CaptureTable.values()) names.add(t.tableName());
        names.add("capture_info");
        return names;
    }

    /** True when file is a readable cache whose key is this one (connection: any session, left as it was). */
    static boolean isCurrent(Connection connection, Path file, String key) {
        if (!Files.isRegularFile(file)) return false;
        try (Statement st = connection.createStatement()) {
            st.execute("ATTACH " + literal(file) + " AS cache_probe (READ_ONLY)");
            try (ResultSet rs = st.executeQuery("SELECT key FROM cache_probe.cache_key")) {
                return rs.next() && key.equals(rs.getString(1));
            } finally {
                st.execute("DETACH cache_probe");
            }
        } catch (SQLException e) {
            return false; // not a DuckDB file, another version's, or cut short: build it again
        }
    }

    /**
     * Builds the cache of capture at file: the capture's tables, capture_info,
     * the warnings of loading it, each view of {@link SqlLibrary#CACHED}
     * computed, and the key, written last. It is built under a temporary
     * name and renamed into place, so a reader never sees half a cache and
     * a build that fails (disk full, no permission) leaves nothing behind.
     */
    static void build(CaptureReader capture, Path file, String key, Path spillDir, Consumer<String> progress)
            throws IOException, SQLException {
        Files.createDirectories(file.getParent());
        // unique per build: two sessions (or two threads of one) may build the same cache at once
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Path tmpWal = tmp.resolveSibling(tmp.getFileName() + ".wal");
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(tmpWal);
        long t0 = System.nanoTime();
        progress.accept("building the analysis cache " + file + " (once per capture)");
        try (Connection c = CaptureDatabase.newConnection(spillDir); Statement st = c.createStatement()) {
            st.execute("ATTACH " + literal(tmp) + " AS cache");
            st.execute("CREATE TABLE cache.cache_steps (step VARCHAR, seconds DOUBLE)");
            List<String> warnings = new ArrayList<>();
            long step = System.nanoTime();
            CaptureLoader.loadTables(c, capture, "cache.", warnings);
            CaptureLoader.createCaptureInfo(c, capture, "cache.");
            step = recordStep(c, "capture tables", step);
            st.execute("CREATE TABLE cache.cache_warnings (message VARCHAR)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cache.cache_warnings VALUES (?)")) {
                for (String w : warnings) {
                    ps.setString(1, w);
                    ps.execute();
                }
            }
            for (String table : captureTables()) st.execute("CREATE VIEW " + table + " AS FROM cache." + table);
            SqlLibrary.load(c);
            for (String view : SqlLibrary.CACHED) {
                progress.accept("computing " + view);
                st.execute("CREATE TABLE cache." + view + " AS FROM " + view);
                st.execute("CREATE OR REPLACE VIEW " + view + " AS FROM cache." + view);
                step = recordStep(c, view, step);
            }
            try (PreparedStatement ps = c.prepareStatement("CREATE TABLE cache.cache_key AS SELECT ?::VARCHAR AS key")) {
                ps.setString(1, key);
                ps.execute();
            }
            st.execute("CHECKPOINT cache");
            recordStep(c, "checkpoint", step);
            st.execute("DETACH cache"); // everything is in the file
        } catch (IOException | SQLException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(tmpWal);
            throw e;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        progress.accept(String.format("analysis cache built in %.1f s (%d MiB)", (System.nanoTime() - t0) / 1e9,
            Files.size(file) >> 20));
    }

    /** Notes how long a step of the build took (table cache_steps: what a slow first open spent its time on). */
    private static long recordStep(Connection c, String step, long since) throws SQLException {
        long now = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cache.cache_steps VALUES (?, ?)")) {
            ps.setString(1, step);
            ps.setDouble(2, (now - since) / 1e9);
            ps.execute();
        }
        return now;
    }

    /** Where the cache may live, most wanted first: beside the capture, then the user's cache directory. */
    static List<Path> locations(Path capture, Path userCacheDir) {
        Path abs = capture.toAbsolutePath().normalize();
        List<Path> places = new ArrayList<>();
        places.add(abs.resolveSibling(abs.getFileName() + ".duckdb"));
        if (userCacheDir != null)
            places.add(userCacheDir.resolve(sha256(abs.toString()).substring(0, 16) + "-" + abs.getFileName() + ".duckdb"));
        return places;
    }

    /** $XDG_CACHE_HOME/profiler-query, else ~/.cache/profiler-query; null without a home. */
    static Path userCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "profiler-query");
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? null : Path.of(home, ".cache", "profiler-query");
    }

    /** The key of this capture as it is now, read by this analyzer. */
    static String key(Path capture) throws IOException {
        StringBuilder sb = new StringBuilder(LAYOUT).append('\n');
        // which views it holds computed is part of its shape too
        sb.append(String.join(",", SqlLibrary.CACHED)).append('\n');
        for (String f : SqlLibrary.FILES) sb.append(SqlLibrary.resource("sql/" + f)).append('\n');
        Path abs = capture.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            try (Stream<Path> files = Files.walk(abs)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) describe(sb, abs.relativize(f).toString(), f);
            }
        } else {
            describe(sb, abs.getFileName().toString(), abs);
        }
        return sha256(sb.toString());
    }

    private static void describe(StringBuilder sb, String name, Path f) throws IOException {
        sb.append(name).append(' ').append(Files.size(f)).append(' ').append(Files.getLastModifiedTime(f).toMillis()).append('\n');
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A SQL string literal. */
    static String literal(Path p) {
        return "'" + p.toString().replace("'", "''") + "'";
    }
}
