package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * --futex on a mutex convoy (testdata/workloads/mutex_convoy.c): three
 * threads take turns on one pthread mutex, each holding it 10 ms, and
 * measure their own waits. The futex_wait rows must add up to what the
 * program measured (within 20%) and point at the code that locks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FutexWaitTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    Path capture;
    long measuredWaitNs;

    @BeforeAll
    void record() throws Exception {
        Tools.requireBpf();
        Path workload = Tools.buildWorkload("mutex_convoy", tmp);
        capture = tmp.resolve("futex.cap");
        Path out = tmp.resolve("convoy.out");
        Tools.Result r = Tools.tool("profiler-rec", "--futex", "-o", capture.toString(), "--",
            "sh", "-c", workload + " 3 20 10 > " + out);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("futex waits"), r.toString());
        String[] printed = Files.readString(out).strip().split(" ");
        measuredWaitNs = Long.parseLong(printed[1]);
        assertTrue(measuredWaitNs > 200_000_000L, "the convoy waited " + measuredWaitNs + " ns");
    }

    long scalar(String sql) throws Exception {
        return Tools.scalar(capture, sql);
    }

    /** The workers' waits (the main thread's wait in pthread_join is on another futex). */
    static final String CONVOY = "FROM futex_wait w JOIN processes p USING (pid) WHERE p.name = 'mutex_convoy'"
        + " AND w.tid <> w.pid";

    @Test
    void recordedWaitsAddUpToWhatTheProgramMeasured() throws Exception {
        long recorded = scalar("SELECT sum(ts_end - ts_begin) " + CONVOY + " AND (op & 127) IN (0, 9)");
        assertEquals(measuredWaitNs, recorded, 0.2 * measuredWaitNs,
            "futex waits recorded " + recorded + " ns, the program measured " + measuredWaitNs + " ns");
    }

    @Test
    void waitsAreAttributedToTheLockingCode() throws Exception {
        long waits = scalar("SELECT count(*) " + CONVOY);
        assertTrue(waits >= 20, waits + " waits");
        // glibc has no frame pointers: the unwinder skips from the futex call
        // in libc to the caller of the function that locked, so the waits
        // point at worker(), which calls contended_section()
        long attributed = scalar("SELECT count(*) " + CONVOY + " AND EXISTS (SELECT 1 FROM stack_frames f "
            + "WHERE f.stack_id = w.stack_id AND f.name IN ('contended_section', 'worker'))");
        assertTrue(attributed >= 0.9 * waits, attributed + " of " + waits + " waits point at the locking code");
        assertEquals(1, scalar("SELECT count(DISTINCT uaddr) " + CONVOY + " AND (op & 127) IN (0, 9)"),
            "one mutex");
    }
}
