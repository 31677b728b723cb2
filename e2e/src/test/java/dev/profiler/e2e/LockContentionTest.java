package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * --locks under a load that contends one kernel lock: the threads of
 * testdata/workloads/mmap_storm.c map, touch and unmap memory: mmap and
 * munmap take their process's mmap_lock (an rwsem) for writing, page faults
 * for reading (and page-table spinlocks).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LockContentionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** LCB_F_READ, LCB_F_WRITE of include/trace/events/lock.h. */
    static final int LCB_F_READ = 2, LCB_F_WRITE = 4;
    @TempDir static Path tmp;
    Path capture;

    @BeforeAll
    void record() throws Exception {
        Tools.requireBpf();
        Path workload = Tools.buildWorkload("mmap_storm", tmp);
        capture = tmp.resolve("locks.cap");
        Tools.Result r = Tools.tool("profiler-rec", "--locks", "-o", capture.toString(), "--",
            workload.toString(), "4", "2");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("lock waits"), r.toString());
    }

    long scalar(String sql) throws Exception {
        return Tools.scalar(capture, sql);
    }

    static final String STORM = "FROM lock_contention l JOIN threads t USING (tid) WHERE t.name = 'mmap_storm'";

    @Test
    void theManifestListsTheSourcesThatWereRecorded() throws Exception {
        List<String> sources = new ArrayList<>();
        JSON.readTree(capture.resolve("manifest.json").toFile()).path("options").path("sources")
            .forEach(n -> sources.add(n.asText()));
        assertTrue(sources.containsAll(List.of("samples", "sched", "locks")), "sources: " + sources);
        assertFalse(sources.contains("futex"), "--locks alone records no futex waits: " + sources);
    }

    @Test
    void theThreadsWaitForTheirMmapLock() throws Exception {
        long waits = scalar("SELECT count(*) " + STORM);
        assertTrue(waits >= 20, "mmap_storm's threads waited " + waits + " times");
        // rwsem waits (read: page faults; write: mmap/munmap) in the mmap paths
        long rwsem = scalar("SELECT count(*) " + STORM + " AND (l.flags & " + (LCB_F_READ | LCB_F_WRITE) + ") <> 0");
        long rwsemInMmap = scalar("SELECT count(*) " + STORM + " AND (l.flags & " + (LCB_F_READ | LCB_F_WRITE)
            + ") <> 0 AND EXISTS (SELECT 1 FROM stack_frames f WHERE f.stack_id = l.stack_id AND (f.name LIKE '%mmap%'"
            + " OR f.name LIKE '%munmap%' OR f.name = 'lock_mm_and_find_vma'))");
        assertTrue(rwsem >= 0.2 * waits, rwsem + " of " + waits + " waits are on an rwsem");
        assertTrue(rwsemInMmap >= 0.9 * rwsem, rwsemInMmap + " of " + rwsem + " rwsem waits are in the mmap paths");
        assertEquals(0, scalar("SELECT count(*) FROM lock_contention WHERE ts_end < ts_begin"));
        assertEquals(0, scalar("SELECT count(*) FROM lock_contention WHERE stack_id IS NULL"));
    }

    @Test
    void stacksStartAtTheLockNotInTheTracingMachinery() throws Exception {
        long leafInTracing = scalar("SELECT count(*) FROM lock_contention l JOIN stack_frames f ON f.stack_id = l.stack_id"
            + " WHERE f.depth = 0 AND (f.module = '[bpf]' OR f.name LIKE 'bpf_%' OR f.name LIKE '__traceiter_%')");
        assertEquals(0, leafInTracing);
        long leafInSlowPath = scalar("SELECT count(*) " + STORM + " AND EXISTS (SELECT 1 FROM stack_frames f"
            + " WHERE f.stack_id = l.stack_id AND f.depth = 0 AND (f.name LIKE '%slowpath%' OR f.name LIKE '%lock%'))");
        long waits = scalar("SELECT count(*) " + STORM);
        assertTrue(leafInSlowPath >= 0.9 * waits, leafInSlowPath + " of " + waits + " stacks start in a lock function");
    }

    @Test
    void manifestCountsWaitsLossesAndUnpairedEvents() throws Exception {
        JsonNode m = JSON.readTree(Files.readString(capture.resolve("manifest.json")));
        long emitted = 0;
        for (JsonNode n : m.at("/counters/emitted_per_cpu/lock_contention")) emitted += n.asLong();
        assertEquals(emitted, m.at("/rows/lock_contention").asLong());
        for (JsonNode n : m.at("/counters/lost_per_cpu/lock_contention")) assertEquals(0, n.asLong());
        assertTrue(m.at("/counters/unpaired/lock_contention_begin").isNumber(), m.toString());
        assertTrue(m.at("/counters/unpaired/lock_contention_end").isNumber(), m.toString());
    }
}
