package dev.profiler.analyzer;

import static dev.profiler.analyzer.Scenarios.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every blocked interval of Scenarios.waits gets the wait kind its story
 * says, decided by the signal the story gives it; the stall and lock
 * analyses keep the lock and I/O waits and leave the idle ones out.
 */
class WaitKindsTest {
    @TempDir static Path tmp;
    static Path capture;

    @BeforeAll
    static void write() throws Exception {
        capture = Scenarios.waits(tmp.resolve("waits.cap"));
    }

    /** thread name -> "kind signal detail" of its one blocked interval that ended. */
    private static Map<String, String> kinds() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT t.name, o.wait_kind, o.wait_signal, o.wait_detail, o.dur_ns"
                 + " FROM offcpu o JOIN threads t USING (tid) WHERE NOT o.ends_with_capture")) {
            while (rs.next()) {
                String before = out.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
                assertEquals(null, before, "one blocked interval per thread: " + rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void eachWaitGetsTheKindItsSignalsGive() throws Exception {
        Map<String, String> expected = new TreeMap<>(Map.of(
            "pool-1", "idle stack ___pthread_cond_wait",
            "pool-2", "futex-wait futex-op FUTEX_WAIT_BITSET",
            "reader", "idle syscall read",
            "sleeper", "sleep syscall clock_nanosleep",
            "convoy-2", "lock futex-op FUTEX_WAIT",
            "ksoftirqd/1", "idle kthread kernel thread",
            "loader", "io iowait read",
            "mapper", "lock stack rwsem_down_write_slowpath",
            "writer", "lock lock-event inode_lock",
            "joiner", "join futex-stack __pthread_clockjoin_ex"));
        assertEquals(expected, kinds());
    }

    /** The stalls, kind and wait kind by thread, begin and end in ms. */
    private static Map<String, String> stalls(boolean includeIdle) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT thread, kind, wait_kind, ts_begin, ts_end FROM stalls(include_idle := "
                 + includeIdle + ") ORDER BY thread")) {
            while (rs.next())
                out.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4) / MS + "-"
                    + rs.getLong(5) / MS);
        }
        return out;
    }

    @Test
    void stallsAreTheLockAndIoWaitsOnly() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("convoy-2", "blocked lock 100-400");
        expected.put("loader", "blocked io 500-620");
        expected.put("mapper", "blocked lock 700-780");
        expected.put("writer", "blocked lock 800-900");
        assertEquals(expected, stalls(false));
    }

    @Test
    void includeIdleAddsTheWaitsForWorkButNeverATimerSleep() throws Exception {
        Map<String, String> all = stalls(true);
        assertEquals("blocked idle 10-1500", all.get("pool-1"));
        assertEquals("blocked futex-wait 10-1500", all.get("pool-2"));
        assertEquals("blocked idle 20-1000", all.get("reader"));
        assertEquals("blocked idle 300-1200", all.get("ksoftirqd/1"));
        assertEquals("blocked join 1100-1900", all.get("joiner"));
        assertEquals(9, all.size(), "the four stalls, the five idle waits, not the sleeper: " + all);
    }

    @Test
    void locksAreTheConvoyMutexAndTheKernelMutexNotThePool() throws Exception {
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT lock, waits, total_wait_ns, share_pct FROM lock_time()")) {
            assertTrue(rs.next());
            assertEquals("convoy_lock", rs.getString(1), "a static mutex, named by its symbol");
            assertEquals(1, rs.getLong(2));
            assertEquals(CONVOY_WAIT, rs.getLong(3));
            assertTrue(rs.next());
            assertEquals("inode_lock", rs.getString(1));
            assertTrue(rs.getDouble(4) <= 100, "shares never top 100%");
            assertTrue(!rs.next(), "the pool's condition variable is not a lock");
        }
    }

    static final long CONVOY_WAIT = Scenarios.CONVOY_WAKE + 30_000 - Scenarios.CONVOY_BLOCK;

    @Test
    void thePoolAndTheReaderWaitForWork() throws Exception {
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT pool, threads, waits, idle_ns, maybe_idle_ns, idle_pct"
                 + " FROM waiting_for_work ORDER BY idle_ns DESC")) {
            long poolWait = Scenarios.POOL_WAKE - Scenarios.POOL_BLOCK;
            assertTrue(rs.next());
            assertEquals("pool-*", rs.getString(1));
            assertEquals(2, rs.getLong(2));
            assertEquals(2, rs.getLong(3));
            assertEquals(2 * poolWait, rs.getLong(4));
            assertEquals(poolWait, rs.getLong(5), "pool-2's wait: a condition variable by its op only");
            assertEquals(100.0 * poolWait / 2000 / MS, rs.getDouble(6), 0.1);
            assertTrue(rs.next());
            assertEquals("reader", rs.getString(1));
            assertEquals(Scenarios.READER_WAKE - Scenarios.READER_BLOCK, rs.getLong(4));
            assertTrue(rs.next());
            assertEquals("ksoftirqd/*", rs.getString(1));
            assertTrue(!rs.next());
        }
    }

    @Test
    void everyIntervalNotRunningIsAWaitWithAKind() throws Exception {
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE wait_kind = 'cpu'),"
                 + " count(*) FILTER (WHERE wait_kind IS NULL), count(*) FROM waits")) {
            rs.next();
            assertEquals(10, rs.getLong(1), "a runnable interval after each of the ten wakeups");
            assertEquals(0, rs.getLong(2));
            assertEquals(20, rs.getLong(3));
        }
    }
}
