package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wait kinds on real programs recorded whole-machine: a lock convoy next to
 * threads that wait for work and input is the only contention and the only
 * stall; an idle JVM and a parallel build add no stall of waiting for work,
 * nor do the machine's idle kernel threads and pipe readers.
 */
class WaitKindsRecordedTest {
    @TempDir Path tmp;

    /** The stalls over 50 ms (default) and with the idle kinds, of one process: a query over the capture. */
    private static String stallsOf(long pid, boolean includeIdle) {
        return "SELECT tid, kind, wait_kind, cause FROM stalls(include_idle := " + includeIdle + ") WHERE pid = " + pid;
    }

    private static double maxShare(Path capture) throws Exception {
        return Tools.query(capture, "SELECT coalesce(max(share_pct), 0) AS pct FROM lock_time()").get(0).get("pct").asDouble();
    }

    @Test
    void theConvoyIsTheOnlyLockAndItsWaitsTheOnlyStalls() throws Exception {
        Tools.requireBpf();
        Tools.mountTracefs();
        Path program = Tools.buildWorkload("mixed_waits", tmp);
        Path capture = tmp.resolve("mixed.cap"), out = tmp.resolve("mixed.out");
        Tools.Result r = Tools.tool("profiler-rec", "-a", "--futex", "--offcpu-stacks", "-o", capture.toString(), "--",
            "sh", "-c", program + " 3 6 100 4 > " + out);
        assertEquals(0, r.exit(), r.toString());
        long measuredNs = Long.parseLong(Files.readString(out).strip().split(" ")[1]);
        long pid = Tools.scalar(capture, "SELECT pid FROM processes WHERE name = 'mixed_waits'");
        // contended_section takes the lock (convoy_worker calls it): a frame-pointer walk out of libc's
        // lock code, which has no frame pointers, used to skip it; the unwind tables keep it
        String convoy = "SELECT DISTINCT tid FROM lock_waits WHERE pid = " + pid + " AND call_site = 'contended_section'";
        assertEquals(3, Tools.query(capture, convoy).size(), "three convoy threads waited in contended_section");

        // the locks report: the convoy's mutex first, with the wait the program measured
        JsonNode top = StallsRecordedTest.report("locks", capture).get(0);
        assertTrue(top.get("lock").asText().equals("convoy_lock in contended_section"),
            "the static mutex by its symbol, and the code that takes it: " + top);
        assertEquals(measuredNs / 1e6, Double.parseDouble(top.get("total_ms").asText()), 0.1 * measuredNs / 1e6, top.toString());
        // the pool's condition variable and main's joins were futex waits too, but are no lock
        assertTrue(Tools.scalar(capture, "SELECT count(DISTINCT tid) FROM lock_waits WHERE pid = " + pid
            + " AND wait_kind <> 'lock'") >= 5, "the four pool threads and main waited in futex, not for a lock");
        assertEquals(0, Tools.scalar(capture, "SELECT count(*) FROM lock_time() WHERE lock_id IN"
            + " (SELECT lock_id FROM lock_waits WHERE wait_kind <> 'lock')"), "no idle wait among the locks");

        // the stalls of the process: the convoy's lock waits only
        JsonNode stalls = Tools.query(capture, stallsOf(pid, false));
        assertTrue(stalls.size() >= 10, "the convoy threads blocked ~200 ms a round: " + stalls);
        List<Long> convoyTids = StallsRecordedTest.rows(Tools.query(capture, convoy)).stream().map(n -> n.get("tid").asLong()).toList();
        for (JsonNode s : stalls) {
            assertEquals("lock", s.get("wait_kind").asText(), s.toString());
            assertTrue(convoyTids.contains(s.get("tid").asLong()), "a stall of a convoy thread: " + s);
        }
        // the pool threads, the reader and main did wait, and are listed when asked
        long idle = StallsRecordedTest.rows(Tools.query(capture, stallsOf(pid, true))).stream()
            .filter(s -> !convoyTids.contains(s.get("tid").asLong())).count();
        assertTrue(idle >= 5, "--include-idle lists the pool's, the reader's and main's waits: " + idle);
        assertEquals(1, Tools.scalar(capture, "SELECT count(*) FROM offcpu WHERE pid = " + pid
            + " AND wait_kind = 'idle' AND syscall = 'read' AND dur_ns > 500000000"), "the pipe reader waited for input");
        assertTrue(maxShare(capture) <= 100, "no lock's share of its waiters' time tops 100%");

        // main's critical path: while it joined, the convoy threads' work (their sleeps holding the mutex, by design)
        String convoyList = convoyTids.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
        JsonNode path = Tools.query(capture, "SELECT sum(dur_ns) AS total, sum(dur_ns) FILTER (WHERE depth > 0 AND tid IN ("
            + convoyList + ")) AS convoy FROM critical_path(" + pid + ")").get(0);
        assertTrue(path.get("convoy").asDouble() >= 0.8 * path.get("total").asDouble(),
            "main spent its life waiting for the convoy, and its path says so: " + path);
    }

    @Test
    void anIdleJvmAddsNoBlockedStall() throws Exception {
        Tools.requireBpf();
        Path classes = tmp.resolve("classes");
        Tools.Result javac = Tools.run(List.of("javac", "-d", classes.toString(),
            Tools.HOME.resolve("testdata/workloads/IdleService.java").toString()), 120);
        assertEquals(0, javac.exit(), javac.toString());
        Process jvm = new ProcessBuilder("java", "-cp", classes.toString(), "IdleService", "20")
            .redirectErrorStream(true).start();
        try {
            String ready = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(ready != null && ready.startsWith("ready "), "the JVM started: " + ready);
            long pid = Long.parseLong(ready.substring(6).strip());
            Thread.sleep(1000); // past start-up: idle from here
            Path capture = tmp.resolve("jvm.cap");
            Tools.Result r = Tools.tool("profiler-rec", "-a", "--all", "-d", "4", "-o", capture.toString());
            assertEquals(0, r.exit(), r.toString());
            // (a runqueue stall would be the machine's doing, not the JVM's: another process holding the CPU)
            JsonNode own = Tools.query(capture, "SELECT * FROM (" + stallsOf(pid, false) + ") WHERE kind <> 'runqueue'");
            assertEquals(0, own.size(), "an idle JVM's threads wait for work, not for a lock: " + own);
            long handoffs = Tools.scalar(capture, "SELECT count(*) FROM (" + stallsOf(pid, true) + ") WHERE kind = 'blocked'");
            assertTrue(handoffs >= 10, "its pool threads were woken by the timer thread ten times a second: " + handoffs);
        } finally {
            jvm.destroyForcibly();
            jvm.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aParallelBuildRecordedWholeMachineShowsNoIdleKernelThreadOrPipeReader() throws Exception {
        Tools.requireBpf();
        Tools.mountTracefs();
        Path capture = tmp.resolve("build.cap");
        Tools.Result r = Tools.tool("profiler-rec", "-a", "--all", "-o", capture.toString(), "--",
            "make", "-s", "-j2", "-B", "-C", Tools.HOME.resolve("bpf").toString(), "OUT=" + tmp.resolve("bpf-out"));
        assertEquals(0, r.exit(), r.toString());
        String kernelThreads = "SELECT pid FROM processes WHERE ppid = 2";
        // kernel threads were woken by other threads after long sleeps: what used to be listed as stalls
        assertTrue(Tools.scalar(capture, "SELECT count(*) FROM offcpu WHERE pid IN (" + kernelThreads + ")"
            + " AND waker_tid IS NOT NULL AND dur_ns >= 20000000") > 0, "ksoftirqd and kworkers slept and were woken");
        JsonNode kernel = Tools.query(capture, "SELECT thread, wait_kind, cause FROM stalls(threshold_ns := 20000000)"
            + " WHERE pid IN (" + kernelThreads + ") AND wait_kind IS DISTINCT FROM 'io' AND wait_kind IS DISTINCT FROM 'cpu'");
        // waiting 20 ms for a CPU is a real stall on 2 busy cores (seen in CI: ksoftirqd behind a busy reaper)
        assertEquals(0, kernel.size(), "a kernel thread's stall is I/O or a wait for a CPU, never its idle loop: " + kernel);
        JsonNode readers = Tools.query(capture, "SELECT thread, cause FROM stalls(threshold_ns := 20000000)"
            + " WHERE cause LIKE '%pipe_read%' OR cause LIKE '%, read)%'");
        assertEquals(0, readers.size(), "a reader of an empty pipe waits for input: " + readers);
        assertTrue(Tools.scalar(capture, "SELECT count(*) FROM stalls(threshold_ns := 20000000, include_idle := true)"
            + " WHERE pid IN (" + kernelThreads + ")") > 0, "--include-idle lists the kernel threads' idle waits");
        assertTrue(maxShare(capture) <= 100, "no lock's share of its waiters' time tops 100%");
    }
}
