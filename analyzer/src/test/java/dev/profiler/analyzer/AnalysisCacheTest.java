package dev.profiler.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profiler.analyzer.CaptureDatabase.CacheState;
import dev.profiler.analyzer.CaptureDatabase.CacheUse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis cache: built on first open, reused after, built again when
 * the capture changes or the file is not a cache; a session through it
 * answers exactly what a session without it does; with nowhere to write it
 * the session still works.
 */
class AnalysisCacheTest {
    @TempDir Path tmp;

    /** Every analysis the reports read, as rows of text, in a fixed order. */
    static final List<String> QUERIES = List.of(
        "SELECT * FROM stalls(threshold_ns := 20000000) ORDER BY ALL",
        "SELECT * FROM stalls(threshold_ns := 20000000, include_idle := true) ORDER BY ALL",
        "SELECT * FROM waits ORDER BY ALL",
        "SELECT * FROM waiting_for_work ORDER BY ALL",
        "SELECT * FROM critical_path(501) ORDER BY ALL", // the chain scenario's A; empty elsewhere
        "SELECT * FROM lock_time() ORDER BY ALL",
        "SELECT * FROM thread_states ORDER BY ALL",
        "SELECT * FROM offcpu ORDER BY ALL",
        "SELECT * FROM lock_waits ORDER BY ALL",
        "SELECT * FROM cpu_silences ORDER BY ALL",
        "SELECT * FROM spin_runs ORDER BY ALL",
        "SELECT cpu, tid, ts_begin, ts_end, count(*) FROM cpu_runs GROUP BY ALL ORDER BY ALL");

    @Test
    void builtOnceThenReusedAndAnswersAsWithoutIt() throws Exception {
        for (Path capture : List.of(Scenarios.freeze(tmp.resolve("freeze.cap")), Scenarios.runqueue(tmp.resolve("runqueue.cap")),
                Scenarios.convoy(tmp.resolve("convoy.cap")), Scenarios.waits(tmp.resolve("waits.cap")),
                Scenarios.chain(tmp.resolve("chain.cap")))) {
            List<String> progress = new ArrayList<>();
            List<List<String>> cached, built, uncached;
            try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, tmp.resolve("user"), progress::add)) {
                assertEquals(CacheState.BUILT, db.cacheState());
                assertEquals(capture.resolveSibling(capture.getFileName() + ".duckdb"), db.cacheFile());
                assertTrue(progress.get(0).startsWith("building the analysis cache"), progress.toString());
                built = answers(db);
            }
            try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, tmp.resolve("user"), m -> {})) {
                assertEquals(CacheState.REUSED, db.cacheState());
                cached = answers(db);
            }
            try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.OFF, tmp.resolve("user"), m -> {})) {
                assertEquals(CacheState.NONE, db.cacheState());
                uncached = answers(db);
            }
            assertFalse(uncached.get(0).isEmpty(), capture + ": every scenario has stalls");
            assertEquals(uncached, built, capture.toString());
            assertEquals(uncached, cached, capture.toString());
            try (Stream<Path> left = Files.list(tmp)) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary file left");
            }
        }
    }

    @Test
    void builtAgainWhenTheCaptureChanges() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, null, m -> {})) {
            assertEquals(CacheState.BUILT, db.cacheState());
        }
        Path manifest = capture.resolve("manifest.json");
        Files.setLastModifiedTime(manifest, FileTime.fromMillis(Files.getLastModifiedTime(manifest).toMillis() + 5000));
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, null, m -> {})) {
            assertEquals(CacheState.BUILT, db.cacheState());
        }
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, null, m -> {})) {
            assertEquals(CacheState.REUSED, db.cacheState());
        }
    }

    @Test
    void aFileThatIsNotACacheIsReplaced() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        Path cache = tmp.resolve("convoy.cap.duckdb");
        Files.writeString(cache, "not a DuckDB file, or one cut short by a full disk");
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, null, m -> {})) {
            assertEquals(CacheState.BUILT, db.cacheState());
            assertEquals(cache, db.cacheFile());
            assertEquals(2, count(db, "SELECT count(*) FROM lock_time()"));
        }
    }

    @Test
    void besideTheCaptureUnwritableThenTheUserCacheDirectory() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        // a directory (not empty) where the cache file would go: the rename into place fails
        Files.createDirectories(tmp.resolve("convoy.cap.duckdb/in-the-way"));
        Path user = tmp.resolve("user-cache");
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, user, m -> {})) {
            assertEquals(CacheState.BUILT, db.cacheState());
            assertEquals(user, db.cacheFile().getParent());
            assertEquals(2, count(db, "SELECT count(*) FROM lock_time()"));
        }
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, user, m -> {})) {
            assertEquals(CacheState.REUSED, db.cacheState());
        }
    }

    @Test
    void nowhereToWriteItStillAnswers() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        Files.createDirectories(tmp.resolve("convoy.cap.duckdb/in-the-way"));
        Path notADirectory = Files.writeString(tmp.resolve("a-file"), "x");
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.USE, notADirectory.resolve("cache"), m -> {})) {
            assertEquals(CacheState.NONE, db.cacheState());
            assertNull(db.cacheFile());
            assertTrue(db.warnings().stream().anyMatch(w -> w.startsWith("no analysis cache")), db.warnings().toString());
            assertEquals(2, count(db, "SELECT count(*) FROM lock_time()"));
        }
    }

    static List<List<String>> answers(CaptureDatabase db) throws Exception {
        List<List<String>> all = new ArrayList<>();
        try (Statement st = db.connection().createStatement()) {
            for (String q : QUERIES) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(q)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= md.getColumnCount(); i++) row.append(rs.getString(i)).append('|');
                        rows.add(row.toString());
                    }
                }
                all.add(rows);
            }
        }
        return all;
    }

    private static long count(CaptureDatabase db, String sql) throws Exception {
        try (Statement st = db.connection().createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
