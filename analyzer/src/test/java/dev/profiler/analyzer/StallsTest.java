package dev.profiler.analyzer;

import static dev.profiler.analyzer.Scenarios.MS;
import static dev.profiler.analyzer.Scenarios.PERIOD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stalls analysis finds each constructed stall, its kind, times and cause, and nothing else. */
class StallsTest {
    @TempDir Path tmp;

    record Stall(String kind, long begin, long end, Integer tid, String thread, String cause, String stack) {}

    static List<Stall> stalls(Path capture) throws Exception {
        List<Stall> out = new ArrayList<>();
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT kind, ts_begin, ts_end, tid, thread, cause, stack FROM stalls()")) {
            while (rs.next())
                out.add(new Stall(rs.getString(1), rs.getLong(2), rs.getLong(3), (Integer) rs.getObject(4),
                    rs.getString(5), rs.getString(6), rs.getString(7)));
        }
        return out;
    }

    static void assertNear(long expected, long actual, String what) {
        assertTrue(Math.abs(expected - actual) <= PERIOD,
            what + ": expected " + expected / 1e6 + " ms +- one period, got " + actual / 1e6 + " ms");
    }

    @Test
    void findsEachFreezeWithItsNmiAndSpinningCpuAndNothingElse() throws Exception {
        List<Stall> found = stalls(Scenarios.freeze(tmp.resolve("freeze.cap")));
        assertEquals(Scenarios.FREEZES.length, found.size(), "stalls found: " + found);
        for (int i = 0; i < found.size(); i++) {
            Stall s = found.get(i);
            assertEquals("freeze", s.kind());
            assertNear(Scenarios.FREEZES[i], s.begin(), "freeze " + i + " start");
            assertNear(Scenarios.FREEZES[i] + Scenarios.FREEZE_LENGTH, s.end(), "freeze " + i + " end");
            assertTrue(s.cause().contains("all 2 CPUs busy but silent"), s.cause());
            assertTrue(s.cause().contains("nmi perf_event_nmi_handler on CPU 1 for 250.0 ms"), s.cause());
            assertTrue(s.cause().contains("CPU 1 last seen spinning in resilient_queued_spin_lock_slowpath"), s.cause());
            assertEquals(102, s.tid(), "the thread on the spinning CPU");
            assertTrue(s.stack().startsWith("resilient_queued_spin_lock_slowpath < bpf_ringbuf_reserve"), s.stack());
        }
    }

    /**
     * A capture without scheduler events (--no-sched): an idle CPU gives no
     * samples (its sampling timer does not fire while it sleeps, seen on
     * this project's VMs), so one CPU quiet after a busy sample is no
     * freeze; every CPU quiet together still is, and its CPUs are counted
     * once each though one of them had a sample in the middle of it.
     */
    @Test
    void withoutSchedulerEventsOnlyEveryCpuQuietTogetherIsAFreeze() throws Exception {
        Path capture = tmp.resolve("nosched.cap");
        long freeze = 6_000 * MS, end = 8_000 * MS;
        try (SyntheticCapture c = SyntheticCapture.create(capture, 2, PERIOD)) {
            c.thread(201, 200, "worker");
            c.thread(301, 300, "kdamond");
            long busy = c.stack("crunch", "main");
            long other = c.stack("kdamond_fn", "kthread");
            c.samples(0, freeze, 0, 0, 201, busy);            // CPU 0: busy until the freeze
            c.samples(freeze + 300 * MS, end, 0, 0, 201, busy); // ...and after it
            // CPU 1: short bursts of a kernel thread, then idle with no samples for seconds (not a freeze)
            c.samples(0, 5 * MS, 0, 1, 301, other);
            c.samples(3_000 * MS, 3_005 * MS, 0, 1, 301, other);
            c.samples(freeze - 5 * MS, freeze, 0, 1, 301, other);
            c.samples(freeze + 150 * MS, freeze + 150 * MS + 1, 0, 1, 301, other); // one sample mid-freeze
            c.samples(freeze + 300 * MS, end, 0, 1, 301, other);
        }
        List<Stall> found = stalls(capture);
        assertEquals(1, found.size(), "only the freeze of every CPU: " + found);
        Stall f = found.get(0);
        assertEquals("freeze", f.kind());
        assertNear(freeze, f.begin(), "freeze start");
        assertNear(freeze + 300 * MS, f.end(), "freeze end");
        assertTrue(f.cause().startsWith("all 2 CPUs busy but silent"), "each CPU counted once: " + f.cause());
    }

    @Test
    void freezeNeedsTheConfiguredNumberOfSilentPeriods() throws Exception {
        Path capture = Scenarios.freeze(tmp.resolve("freeze.cap"));
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE kind = 'freeze'),"
                 + " count(*) FILTER (WHERE kind = 'irq' AND cause LIKE 'nmi perf_event_nmi_handler held CPU 1%')"
                 + " FROM stalls(threshold_ns := 100000000, freeze_periods := 300)")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "a 250-period silence is not a freeze when 300 periods are asked for");
            assertEquals(3, rs.getLong(2), "with no freeze to explain, each 250 ms NMI is an irq stall of its own");
        }
    }

    @Test
    void findsTheRunqueueStallAndNamesTheHog() throws Exception {
        List<Stall> found = stalls(Scenarios.runqueue(tmp.resolve("rq.cap")));
        assertEquals(1, found.size(), "stalls found: " + found);
        Stall s = found.get(0);
        assertEquals("runqueue", s.kind());
        assertEquals(201, s.tid());
        assertEquals("worker", s.thread());
        assertNear(Scenarios.HOG_BEGIN, s.begin(), "start");
        assertNear(Scenarios.HOG_END, s.end(), "end");
        assertTrue(s.cause().equals("preempted, waiting for CPU 0: hog (tid 202) ran 300.0 ms of it"), s.cause());
    }

    @Test
    void findsTheConvoyWaitersAndWhoUnblockedThem() throws Exception {
        List<Stall> found = stalls(Scenarios.convoy(tmp.resolve("convoy.cap")));
        assertEquals(2, found.size(), "stalls found: " + found);
        Stall first = found.get(0), second = found.get(1);
        assertEquals("blocked", first.kind());
        assertEquals(302, first.tid());
        assertNear(Scenarios.LOCK_TAKEN_2, first.begin(), "worker-1 blocked at");
        assertNear(Scenarios.RELEASE_1, first.end(), "worker-1 woken at");
        assertTrue(first.cause().contains("unblocked by convoy (tid 301)"), first.cause());
        assertTrue(first.cause().startsWith("lock wait (sleeping, __pthread_mutex_lock_full) in worker,"),
            "the kind, the frame that says so, the program's call site: " + first.cause());
        assertEquals("blocked", second.kind());
        assertEquals(303, second.tid());
        assertNear(Scenarios.RELEASE_2, second.end(), "worker-2 woken at");
        assertTrue(second.cause().contains("unblocked by worker-1 (tid 302)"), second.cause());
    }

    @Test
    void thresholdIsHonoured() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM stalls(threshold_ns := " + 250 * MS + ")")) {
            rs.next();
            assertEquals(1, rs.getLong(1), "only worker-2's 280 ms wait is over 250 ms");
        }
    }
}
