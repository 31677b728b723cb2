package dev.profiler.analyzer;

import static dev.profiler.analyzer.Scenarios.CHAIN_A_BLOCK;
import static dev.profiler.analyzer.Scenarios.CHAIN_A_WOKEN;
import static dev.profiler.analyzer.Scenarios.CHAIN_B_BLOCK;
import static dev.profiler.analyzer.Scenarios.CHAIN_C_RELEASES;
import static dev.profiler.analyzer.Scenarios.CHAIN_C_RUNS;
import static dev.profiler.analyzer.Scenarios.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * critical_path follows A's wait through its waker B and B's waker C to C's
 * 300 ms run (Scenarios.chain), piece by piece, and covers the window.
 */
class CriticalPathTest {
    @TempDir static Path tmp;
    static Path capture;

    @BeforeAll
    static void write() throws Exception {
        capture = Scenarios.chain(tmp.resolve("chain.cap"));
    }

    record Piece(long begin, long end, int depth, String thread, String doing) {}

    static List<Piece> path(Path capture, String args) throws Exception {
        List<Piece> out = new ArrayList<>();
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT ts_begin, ts_end, depth, thread, doing FROM critical_path(" + args
                 + ") ORDER BY ts_begin")) {
            while (rs.next())
                out.add(new Piece(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getString(4), rs.getString(5)));
        }
        return out;
    }

    @Test
    void aWaitIsFollowedThroughItsWakersToTheRunThatMattered() throws Exception {
        List<Piece> p = path(capture, "501, from_ns := " + CHAIN_A_BLOCK + ", to_ns := " + CHAIN_A_WOKEN);
        List<Piece> expected = List.of(
            new Piece(CHAIN_A_BLOCK, CHAIN_B_BLOCK, 1, "B", "running"),
            new Piece(CHAIN_B_BLOCK, CHAIN_C_RUNS, 2, "C", "blocked: idle (read), woken by hardirq"),
            new Piece(CHAIN_C_RUNS, CHAIN_C_RUNS + 20_000, 2, "C", "waiting for a CPU"),
            new Piece(CHAIN_C_RUNS + 20_000, CHAIN_C_RELEASES, 2, "C", "running"),
            new Piece(CHAIN_C_RELEASES, CHAIN_C_RELEASES + 20_000, 1, "B", "waiting for a CPU"),
            new Piece(CHAIN_C_RELEASES + 20_000, CHAIN_A_WOKEN, 1, "B", "running"));
        assertEquals(expected, p);
    }

    @Test
    void theWholeLifeOfAThreadIsItsOwnWorkAndItsWait() throws Exception {
        List<Piece> p = path(capture, "501");
        long total = 0, own = 0, byC = 0;
        for (Piece x : p) {
            total += x.end() - x.begin();
            if (x.depth() == 0) own += x.end() - x.begin();
            if (x.thread().equals("C") && x.doing().equals("running")) byC += x.end() - x.begin();
        }
        assertEquals(1000 * MS, total, "the pieces cover A's recorded life: " + p);
        assertEquals(CHAIN_A_BLOCK + (1000 * MS - CHAIN_A_WOKEN), own, "A's own running and waiting for a CPU");
        assertEquals(300 * MS - 20_000, byC, "C's run holding the mutex");
        assertTrue(p.stream().noneMatch(x -> x.doing().startsWith("blocked") && x.thread().equals("A")),
            "A's wait is explained, not left as blocked: " + p);
    }

    @Test
    void depthOneStopsAtTheFirstWaker() throws Exception {
        List<Piece> p = path(capture, "501, from_ns := " + CHAIN_A_BLOCK + ", to_ns := " + CHAIN_A_WOKEN + ", max_depth := 1");
        assertTrue(p.contains(new Piece(CHAIN_B_BLOCK, CHAIN_C_RELEASES, 1, "B",
            "blocked: lock (FUTEX_WAIT), woken by tid 503, deeper than 1")), p.toString());
    }
}
