package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording a quiet machine must not record a storm of the recorder's own
 * activity (DESIGN.md: a recorder woken per event fed itself ~250k
 * scheduler events/s). Its switches against the idle task and its wakeups
 * are left out in BPF; it wakes ~10 times a second.
 */
class IdleRecordingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    @Test
    void theRecorderDoesNotRecordItself() throws Exception {
        Tools.requireBpf();
        Path cap = tmp.resolve("idle.cap");
        int seconds = 3;
        Tools.Result r = Tools.tool("profiler-rec", "-a", "-d", Integer.toString(seconds), "-o", cap.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode m = JSON.readTree(Files.readString(cap.resolve("manifest.json")));
        Matcher pid = Pattern.compile("pid (\\d+)").matcher(m.at("/options/excluded/0").asText());
        assertTrue(pid.find(), m.toString());
        String self = pid.group(1);

        long ownWakeups = scalar(cap, "SELECT count(*) FROM sched_wakeup w JOIN threads t ON t.tid = w.tid WHERE t.pid = " + self);
        assertEquals(0, ownWakeups, "wakeups of the recorder's threads are left out");
        long ownSwitches = scalar(cap, "SELECT count(*) FROM sched_switch s WHERE s.prev_tid IN (SELECT tid FROM threads WHERE pid = "
            + self + ") OR s.next_tid IN (SELECT tid FROM threads WHERE pid = " + self + ")");
        long allSwitches = scalar(cap, "SELECT count(*) FROM sched_switch");
        // only switches between the recorder and another running thread are kept
        assertTrue(ownSwitches <= 0.25 * allSwitches + 20 * seconds,
            "the recorder is in " + ownSwitches + " of " + allSwitches + " switches");
        assertTrue(allSwitches < 5000L * seconds, allSwitches + " switches in " + seconds + " s of a quiet machine");
    }

    /**
     * The capture ends while every source is still attached: a thread that
     * switches every millisecond has its last switch within a few ms of
     * end_ns. It ended after the recorder's final work (~130-180 ms on a
     * quiet machine, ~440 ms in a build), so threads waiting at the end
     * looked like runqueue stalls behind the recorder.
     */
    @Test
    void theCaptureEndsWhereTheEventsEnd() throws Exception {
        Tools.requireBpf();
        Path cap = tmp.resolve("end.cap");
        Thread sleeper = new Thread(() -> {
            try {
                while (true) Thread.sleep(1);
            } catch (InterruptedException e) {
                // the test is done
            }
        });
        sleeper.start();
        try {
            Tools.Result r = Tools.tool("profiler-rec", "-a", "-d", "2", "-o", cap.toString());
            assertEquals(0, r.exit(), r.toString());
        } finally {
            sleeper.interrupt();
            sleeper.join();
        }
        long gapMs = scalar(cap, "SELECT ((SELECT end_ns FROM capture_info) - max(ts)) // 1000000 FROM sched_switch");
        // (negative: switches recorded while the sources were being detached, after end_ns)
        assertTrue(gapMs < 50, "the last switch came " + gapMs + " ms before the capture's end");
    }

    static long scalar(Path cap, String sql) throws Exception {
        return Tools.scalar(cap, sql);
    }
}
