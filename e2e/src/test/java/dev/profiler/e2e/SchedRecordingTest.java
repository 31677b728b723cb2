package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes ping-pong a byte over pipes (testdata/workloads/pingpong.c)
 * while profiler-rec -p and bpftrace, a second tracer, record the same
 * window: the switches and wakeups we record for the two pids must match
 * bpftrace's counts within 2%, with the same waker -> woken pairs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedRecordingTest {
    static final int TRIPS = 20_000;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path tmp;
    Path capture;
    int ping, pong;
    final Map<String, Long> bpftrace = new HashMap<>();

    @BeforeAll
    void record() throws Exception {
        Tools.requireBpf();
        Tools.mountTracefs();
        Path workload = Tools.buildWorkload("pingpong", tmp);
        capture = tmp.resolve("pingpong.cap");

        Process pp = new ProcessBuilder(workload.toString(), Integer.toString(TRIPS), "--gate")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader ppOut = reader(pp.getInputStream());
        String[] ready = ppOut.readLine().split(" ");
        ping = Integer.parseInt(ready[1]);
        pong = Integer.parseInt(ready[2]);

        String pids = "(%1$s == " + ping + " || %1$s == " + pong + ")";
        String script = String.join("\n",
            "tracepoint:sched:sched_switch /" + pids.formatted("args->prev_pid") + " || " + pids.formatted("args->next_pid")
                + "/ { @switches = count(); }",
            "tracepoint:sched:sched_waking /" + pids.formatted("args->pid") + "/ { @waking[tid, args->pid] = count(); }",
            "tracepoint:sched:sched_wakeup /" + pids.formatted("args->pid") + "/ { @wakeup = count(); }");
        Process bt = new ProcessBuilder("bpftrace", "-e", script).redirectErrorStream(true).start();
        BufferedReader btOut = reader(bt.getInputStream());
        waitForLine(btOut, "Attaching", bt);

        Process rec = new ProcessBuilder(Tools.HOME.resolve("bin/profiler-rec").toString(),
            "-p", ping + "," + pong, "-o", capture.toString()).start();
        BufferedReader recErr = reader(rec.getErrorStream());
        StringBuilder recLog = new StringBuilder();
        waitForLine(recErr, "profiler-rec: recording", rec);

        try (OutputStream go = pp.getOutputStream()) {
            go.write("go\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(pp.waitFor(120, TimeUnit.SECONDS), "pingpong did not finish");
        assertEquals(0, pp.exitValue());
        assertTrue(ppOut.readLine().startsWith("trips " + TRIPS));

        assertTrue(rec.waitFor(30, TimeUnit.SECONDS), "profiler-rec did not stop when its targets exited");
        for (String l; (l = recErr.readLine()) != null; ) recLog.append(l).append('\n');
        assertEquals(0, rec.exitValue(), recLog.toString());
        assertTrue(recLog.toString().contains("lost 0"), recLog.toString());

        Tools.run(List.of("kill", "-INT", Long.toString(bt.pid())), 10);
        assertTrue(bt.waitFor(30, TimeUnit.SECONDS), "bpftrace did not stop");
        Pattern count = Pattern.compile("^@(\\w+)(\\[.*\\])?: (\\d+)$");
        for (String l; (l = btOut.readLine()) != null; ) {
            Matcher m = count.matcher(l.strip());
            if (m.matches()) bpftrace.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Long.parseLong(m.group(3)));
        }
        assertTrue(bpftrace.containsKey("switches"), "bpftrace printed " + bpftrace);
    }

    static BufferedReader reader(java.io.InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    static void waitForLine(BufferedReader r, String prefix, Process p) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (String l; (l = r.readLine()) != null; ) {
            if (l.startsWith(prefix)) return;
            seen.append(l).append('\n');
        }
        fail("no line starting with '" + prefix + "' from " + p.info().command().orElse("?") + ":\n" + seen);
    }

    long scalar(String sql) throws Exception {
        return Tools.scalar(capture, sql);
    }

    static void assertWithin2Percent(long expected, long actual, String what) {
        assertTrue(expected > 0, what + ": the second tracer counted nothing");
        assertTrue(Math.abs(actual - expected) <= 0.02 * expected,
            what + ": recorded " + actual + ", bpftrace counted " + expected);
    }

    String both() { return "(" + ping + ", " + pong + ")"; }

    @Test
    void switchesMatchTheSecondTracer() throws Exception {
        long ours = scalar("SELECT count(*) FROM sched_switch WHERE prev_tid IN " + both() + " OR next_tid IN " + both());
        assertWithin2Percent(bpftrace.get("switches"), ours, "context switches");
        assertTrue(ours >= 2L * TRIPS, "a trip switches each end out once at least: " + ours);
    }

    @Test
    void wakeupsMatchTheSecondTracerWithTheSameWakerWokenPairs() throws Exception {
        long wakeups = scalar("SELECT count(*) FROM sched_wakeup WHERE kind = 'wakeup' AND tid IN " + both());
        assertWithin2Percent(bpftrace.get("wakeup"), wakeups, "sched_wakeup");
        long pingWakesPong = scalar("SELECT count(*) FROM sched_wakeup WHERE kind = 'waking' AND waker_tid = " + ping
            + " AND tid = " + pong);
        long pongWakesPing = scalar("SELECT count(*) FROM sched_wakeup WHERE kind = 'waking' AND waker_tid = " + pong
            + " AND tid = " + ping);
        assertWithin2Percent(bpftrace.get("waking[" + ping + ", " + pong + "]"), pingWakesPong, "ping waking pong");
        assertWithin2Percent(bpftrace.get("waking[" + pong + ", " + ping + "]"), pongWakesPing, "pong waking ping");
        long allWakings = scalar("SELECT count(*) FROM sched_wakeup WHERE kind = 'waking' AND tid IN " + both());
        assertTrue(pingWakesPong + pongWakesPing >= 0.95 * allWakings,
            "the two ends wake each other: " + (pingWakesPong + pongWakesPing) + " of " + allWakings);
    }

    @Test
    void onlyTheTargetsAreRecordedUnderTheirNames() throws Exception {
        assertEquals(0, scalar("SELECT count(*) FROM sched_switch WHERE prev_tid NOT IN " + both()
            + " AND next_tid NOT IN " + both()));
        assertEquals(0, scalar("SELECT count(*) FROM sched_wakeup WHERE tid NOT IN " + both()));
        assertEquals(0, scalar("SELECT count(*) FROM samples WHERE pid NOT IN " + both()));
        assertEquals(1, scalar("SELECT count(*) FROM threads WHERE tid = " + ping + " AND name = 'ping'"));
        assertEquals(1, scalar("SELECT count(*) FROM threads WHERE tid = " + pong + " AND name = 'pong'"));
        assertEquals(2, scalar("SELECT count(DISTINCT pid) FROM processes WHERE pid IN " + both()));
        // a blocked end leaves in S (pipe read); states are the kernel's letters
        assertTrue(scalar("SELECT count(*) FROM sched_switch WHERE prev_tid IN " + both() + " AND prev_state = 'S'")
            >= TRIPS, "ping and pong sleep in read()");
    }

    @Test
    void manifestCountsEverySourcePerCpu() throws Exception {
        JsonNode m = JSON.readTree(Files.readString(capture.resolve("manifest.json")));
        for (String source : List.of("samples", "sched_switch", "sched_wakeup")) {
            assertTrue(m.at("/counters/emitted_per_cpu/" + source).isArray(), source + " in " + m);
            for (JsonNode lost : m.at("/counters/lost_per_cpu/" + source)) assertEquals(0, lost.asLong(), source);
        }
        long emitted = 0;
        for (JsonNode n : m.at("/counters/emitted_per_cpu/sched_switch")) emitted += n.asLong();
        assertEquals(emitted, m.at("/rows/sched_switch").asLong(), "every switch BPF emitted was written");
    }
}
