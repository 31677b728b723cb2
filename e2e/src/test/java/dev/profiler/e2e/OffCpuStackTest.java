package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * --offcpu-stacks: every switch-out of the ping-pong's two processes carries
 * the stack it blocked in: the kernel's pipe read under schedule(), and the
 * user side of the read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OffCpuStackTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    Path capture;

    @BeforeAll
    void record() throws Exception {
        Tools.requireBpf();
        Path workload = Tools.buildWorkload("pingpong", tmp);
        capture = tmp.resolve("offcpu.cap");
        Tools.Result r = Tools.tool("profiler-rec", "--offcpu-stacks", "-o", capture.toString(), "--",
            workload.toString(), "3000");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("lost 0"), r.toString());
    }

    long scalar(String sql) throws Exception {
        return Tools.scalar(capture, sql);
    }

    static final String BLOCKED = "FROM sched_switch s JOIN threads t ON t.tid = s.prev_tid "
        + "WHERE t.name IN ('ping', 'pong') AND s.prev_state = 'S'";

    @Test
    void everySwitchOutHasAStack() throws Exception {
        long blocked = scalar("SELECT count(*) " + BLOCKED);
        assertTrue(blocked >= 1000, "the two ends sleep in read(): " + blocked);
        assertEquals(blocked, scalar("SELECT count(prev_stack_id) " + BLOCKED));
    }

    @Test
    void stacksShowThePipeReadUnderSchedule() throws Exception {
        long blocked = scalar("SELECT count(*) " + BLOCKED);
        long inPipeRead = scalar("SELECT count(*) " + BLOCKED + " AND EXISTS (SELECT 1 FROM stack_frames f "
            + "WHERE f.stack_id = s.prev_stack_id AND f.is_kernel AND f.name LIKE '%pipe_read')"
            + " AND EXISTS (SELECT 1 FROM stack_frames f WHERE f.stack_id = s.prev_stack_id AND f.is_kernel"
            + " AND f.name = 'schedule')");
        long leafInTracing = scalar("SELECT count(*) " + BLOCKED + " AND EXISTS (SELECT 1 FROM stack_frames f"
            + " WHERE f.stack_id = s.prev_stack_id AND f.depth = 0 AND (f.module = '[bpf]' OR f.name LIKE 'bpf_%'))");
        assertEquals(0, leafInTracing, "stacks start in the scheduler, not in the tracing program");
        assertTrue(inPipeRead >= 0.99 * blocked, inPipeRead + " of " + blocked + " in pipe_read under schedule");
        long withUser = scalar("SELECT count(*) " + BLOCKED + " AND EXISTS (SELECT 1 FROM stack_frames f "
            + "WHERE f.stack_id = s.prev_stack_id AND NOT f.is_kernel)");
        assertTrue(withUser >= 0.99 * blocked, withUser + " of " + blocked + " with a user stack");
    }
}
