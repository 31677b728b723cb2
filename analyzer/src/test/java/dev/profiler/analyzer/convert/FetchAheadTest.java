package dev.profiler.analyzer.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rows a query gives, read on another thread: all of them, in order,
 * nulls kept; its errors reach the reader. A lost end of rows hangs the
 * reader: the timeout turns that into a failure.
 */
@Timeout(60)
class FetchAheadTest {
    @Test
    void deliversEveryRowInOrderAcrossBatchesWithNulls() throws Exception {
        int n = FetchAhead.BATCH_ROWS * 5 + 17;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             FetchAhead rows = new FetchAhead(st, "SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'r' || i END AS s,"
                 + " CASE WHEN i % 5 = 0 THEN NULL ELSE i * 2 END::INTEGER AS d FROM range(" + n + ") t(i) ORDER BY i")) {
            long expected = 0;
            for (FetchAhead.Batch b; (b = rows.next()) != null; ) {
                assertTrue(b.rows > 0 && b.rows <= FetchAhead.BATCH_ROWS);
                for (int i = 0; i < b.rows; i++, expected++) {
                    assertEquals(expected, b.longs[0][i]);
                    assertEquals(expected % 3 == 0, b.nulls[1][i]);
                    if (expected % 3 != 0) assertEquals("r" + expected, b.strings[1][i]);
                    assertEquals(expected % 5 == 0, b.nulls[2][i]);
                    if (expected % 5 != 0) assertEquals(expected * 2, b.longs[2][i]);
                }
            }
            assertEquals(n, expected);
            assertNull(rows.next(), "the end stays the end");
        }
    }

    @Test
    void aSlowConsumerStillSeesTheEndWhenTheQueueIsFull() throws Exception {
        long n = FetchAhead.BATCH_ROWS * 3L + 5; // four batches: as many as the queue holds
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             FetchAhead rows = new FetchAhead(st, "SELECT i FROM range(" + n + ") t(i)")) {
            Thread.sleep(1000); // the reader fills the queue and ends meanwhile
            long read = 0;
            for (FetchAhead.Batch b; (b = rows.next()) != null; ) read += b.rows;
            assertEquals(n, read);
        }
    }

    @Test
    void aFailingQueryFailsTheReader() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             FetchAhead rows = new FetchAhead(st, "SELECT * FROM no_such_table")) {
            SQLException e = assertThrows(SQLException.class, rows::next);
            assertTrue(e.getMessage().contains("no_such_table"), e.getMessage());
        }
    }

    @Test
    void leavingEarlyStopsTheReaderAndTheConnectionServesAgain() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            try (FetchAhead rows = new FetchAhead(st, "SELECT i FROM range(100000000) t(i)")) {
                assertEquals(0, rows.next().longs[0][0]);
            } // closed with most rows unread: returns without reading them
            try (var rs = st.executeQuery("SELECT 42")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
            }
        }
    }
}
