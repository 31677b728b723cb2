package dev.profiler.analyzer;

import static dev.profiler.analyzer.Scenarios.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lock_time attributes the constructed waits to the right locks, with the right totals. */
class LocksTest {
    @TempDir Path tmp;

    @Test
    void convoyMutexComesFirstThenTheKernelSpinlock() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM lock_time()")) {
            assertTrue(rs.next());
            assertEquals("futex 0x5000 in worker", rs.getString("lock"));
            assertEquals("futex", rs.getString("lock_type"));
            assertEquals("300:0x5000", rs.getString("lock_id"));
            assertEquals(2, rs.getLong("waits"));
            assertEquals(2, rs.getLong("waiters"));
            long w2 = Scenarios.RELEASE_1 - Scenarios.LOCK_TAKEN_2, w3 = Scenarios.RELEASE_2 - Scenarios.LOCK_TAKEN_3;
            assertEquals(w2 + w3, rs.getLong("total_wait_ns"));
            assertEquals(w3, rs.getLong("max_wait_ns"));
            assertEquals(0, rs.getLong("spin_ns"), "waiters were off CPU: no samples of theirs inside the waits");
            // blocked from the switch-out, 20 us after the futex call, to the wakeup
            assertEquals(w2 + w3 - 2 * 20_000, rs.getLong("blocked_ns"));
            assertEquals("worker-2 (tid 303) 280.0 ms, worker-1 (tid 302) 190.0 ms", rs.getString("top_waiters"));
            // 470 ms of the two waiters' 2 x 2000 ms
            assertEquals(11.8, rs.getDouble("share_pct"), 0.05);
            assertTrue(rs.getString("top_stack").startsWith("__futex_abstimed_wait_common < __pthread_mutex_lock_full < worker"),
                rs.getString("top_stack"));

            assertTrue(rs.next());
            assertEquals("tasklist_lock", rs.getString("lock"));
            assertEquals("spinlock", rs.getString("lock_type"));
            assertEquals(1, rs.getLong("waits"));
            assertEquals(3 * MS, rs.getLong("total_wait_ns"));
            assertEquals(3 * MS, rs.getLong("spin_ns"), "3 samples of the spinner inside its wait");
            assertEquals(0, rs.getLong("blocked_ns"));
            assertFalse(rs.next(), "two locks only");
        }
    }

    @Test
    void filtersByThreadAndTime() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT lock, waits FROM lock_time(only_tid := 303)")) {
                assertTrue(rs.next());
                assertEquals("futex 0x5000 in worker", rs.getString(1));
                assertEquals(1, rs.getLong(2));
                assertFalse(rs.next());
            }
            try (ResultSet rs = st.executeQuery("SELECT lock FROM lock_time(from_ns := " + 1400 * MS + ")")) {
                assertTrue(rs.next());
                assertEquals("tasklist_lock", rs.getString(1), "only the spinlock wait is after 1.4 s");
                assertFalse(rs.next());
            }
        }
    }
}
