package dev.profiler.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The captures kept in testdata/synthetic are what Scenarios writes today:
 * their stalls are the same as a fresh copy's (testdata/README.md says how to
 * write them again when a scenario changes).
 */
class TestdataCapturesTest {
    static final Path TESTDATA = Path.of("..", "testdata", "synthetic");

    @TempDir Path tmp;

    @Test
    void freeze() throws Exception {
        assertEquals(StallsTest.stalls(Scenarios.freeze(tmp.resolve("f.cap"))),
            StallsTest.stalls(TESTDATA.resolve("freeze.cap")));
    }

    @Test
    void runqueue() throws Exception {
        assertEquals(StallsTest.stalls(Scenarios.runqueue(tmp.resolve("r.cap"))),
            StallsTest.stalls(TESTDATA.resolve("runqueue.cap")));
    }

    @Test
    void convoy() throws Exception {
        assertEquals(StallsTest.stalls(Scenarios.convoy(tmp.resolve("c.cap"))),
            StallsTest.stalls(TESTDATA.resolve("convoy.cap")));
    }

    @Test
    void waits() throws Exception {
        assertEquals(StallsTest.stalls(Scenarios.waits(tmp.resolve("w.cap"))), StallsTest.stalls(TESTDATA.resolve("waits.cap")));
    }

    @Test
    void chain() throws Exception {
        assertEquals(CriticalPathTest.path(Scenarios.chain(tmp.resolve("ch.cap")), "501"),
            CriticalPathTest.path(TESTDATA.resolve("chain.cap"), "501"));
    }
}
