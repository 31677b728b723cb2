package dev.profiler.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profiler.analyzer.cli.QueryCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** profiler-query stalls / locks / top / path: headlines, options and their errors. */
class ReportsCliTest {
    @TempDir Path tmp;

    record Run(int exit, List<String> lines) {}

    static Run query(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = QueryCommand.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), args);
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void stallsHeadlineNamesTheLongestStallAndItsCause() throws Exception {
        String cap = Scenarios.freeze(tmp.resolve("f.cap")).toString();
        Run r = query("stalls", cap);
        assertEquals(0, r.exit());
        String head = r.lines().get(0);
        assertTrue(head.startsWith("3 stalls over 50 ms in 10.0 s of capture: 3 freeze. Longest: freeze of 25"), head);
        assertTrue(head.contains("nmi perf_event_nmi_handler on CPU 1 for 250.0 ms"), head);
        assertTrue(r.lines().stream().filter(l -> l.contains("freeze")).count() >= 4, String.join("\n", r.lines()));
    }

    @Test
    void stallsOptionsNarrowTheReport() throws Exception {
        String cap = Scenarios.convoy(tmp.resolve("c.cap")).toString();
        Run byTid = query("stalls", cap, "--tid", "303", "--format", "csv");
        assertEquals(0, byTid.exit());
        assertEquals(2, byTid.lines().size(), "header and worker-2's stall: " + byTid.lines());
        assertTrue(byTid.lines().get(1).startsWith("blocked,lock,1.020,280.0,2,303,worker-2,"), byTid.lines().get(1));
        Run late = query("stalls", cap, "--since", "1.25");
        assertTrue(late.lines().get(0).startsWith("1 stall over 50 ms in 2.0 s of capture, 1.25 s to end: 1 blocked."),
            late.lines().get(0));
        Run high = query("stalls", cap, "--threshold", "500");
        assertEquals("No stalls over 500 ms in 2.0 s of capture.", high.lines().get(0));
    }

    @Test
    void locksHeadlineRanksTheConvoyMutex() throws Exception {
        String cap = Scenarios.convoy(tmp.resolve("c.cap")).toString();
        Run r = query("locks", cap);
        assertEquals(0, r.exit());
        assertEquals("3 waits on 2 locks, 473.0 ms in all. Most waited for: futex 0x5000 in worker, 470.0 ms by 2 threads"
            + " (11.8% of their recorded time).", r.lines().get(0));
    }

    @Test
    void topHonoursThePidFilter() throws Exception {
        String cap = Scenarios.runqueue(tmp.resolve("r.cap")).toString();
        Run r = query("top", cap, "--pid", "202", "--format", "csv");
        assertEquals(0, r.exit());
        assertTrue(r.lines().get(1).startsWith("hog_loop,"), r.lines().toString());
        assertEquals(3, r.lines().size(), "hog_loop and main only: " + r.lines());
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        String cap = Scenarios.runqueue(tmp.resolve("r.cap")).toString();
        assertEquals(2, query("stalls", cap, "--threshold", "0").exit());
        assertEquals(2, query("stalls", cap, "--since", "2", "--until", "1").exit());
        assertEquals(2, query("path", cap).exit(), "path needs --tid");
    }

    @Test
    void pathHeadlineSplitsTheThreadsTimeAndNamesWhoRanForIt() throws Exception {
        String cap = Scenarios.chain(tmp.resolve("chain.cap")).toString();
        Run r = query("path", cap, "--tid", "501", "--since", "0.1", "--until", "0.6");
        assertEquals(0, r.exit());
        assertEquals("A (tid 501), 0.100-0.600 s (500.0 ms covered): running 0.0 ms, waiting for a CPU 0.0 ms,"
            + " blocked 500.0 ms.", r.lines().get(0));
        assertTrue(r.lines().get(1).startsWith("While blocked: other threads ran 450.0 ms on its behalf"
            + " (C (tid 503) 300.0 ms, B (tid 502) 150.0 ms)"), r.lines().get(1));
        assertTrue(r.lines().get(5).startsWith("A (501) > B (502) > C (503)  running"), "longest first: " + r.lines());
        Run csv = query("path", cap, "--tid", "501", "--format", "csv");
        assertEquals("on,doing,ms,pct,pieces,first_at_s", csv.lines().get(0));
    }
}
