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
 * fork / exec / exit: a shell runs six processes that live ~30 ms each, less
 * than one of the recorder's 100 ms drains. Each gets a processes row with
 * its parent, exec and exit times, and its samples are symbolized in its
 * own code even when it was gone before /proc could be read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessLifecycleTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    Path capture;

    @BeforeAll
    void record() throws Exception {
        Tools.requireBpf();
        Path workload = Tools.buildWorkload("short_lived", tmp);
        capture = tmp.resolve("short.cap");
        Tools.Result r = Tools.tool("profiler-rec", "-F", "999", "-o", capture.toString(), "--", "sh", "-c",
            "for i in 1 2 3 4 5 6; do " + workload + " 30; done");
        assertEquals(0, r.exit(), r.toString());
    }

    long scalar(String sql) throws Exception {
        return Tools.scalar(capture, sql);
    }

    static final String SHORT = "FROM processes p WHERE p.name = 'short_lived'";

    @Test
    void eachProcessHasItsParentExecAndExitTimes() throws Exception {
        assertEquals(6, scalar("SELECT count(*) " + SHORT));
        assertEquals(6, scalar("SELECT count(*) " + SHORT + " AND exec_ts IS NOT NULL AND exit_ts > exec_ts"
            + " AND exit_ts - exec_ts BETWEEN 20000000 AND 2000000000"));
        assertEquals(6, scalar("SELECT count(*) " + SHORT + " AND ppid IN (SELECT pid FROM processes WHERE name = 'sh')"));
        assertEquals(6, scalar("SELECT count(DISTINCT pid) FROM threads WHERE name = 'short_lived'"));
    }

    @Test
    void shortLivedProcessesSymbolizeTheirOwnCode() throws Exception {
        long samples = scalar("SELECT count(*) FROM samples s JOIN processes p USING (pid) WHERE p.name = 'short_lived'");
        assertTrue(samples >= 6 * 15, "samples of the short-lived processes: " + samples);
        long inHot = scalar("SELECT count(*) FROM samples s JOIN processes p USING (pid) WHERE p.name = 'short_lived'"
            + " AND EXISTS (SELECT 1 FROM stack_frames f WHERE f.stack_id = s.stack_id AND f.name = 'short_hot')");
        assertTrue(inHot >= 0.8 * samples, inHot + " of " + samples + " samples in short_hot; their leaf frames: "
            + Tools.query(capture, "SELECT f.name, f.module, count(*) AS n FROM samples s JOIN processes p USING (pid)"
                + " JOIN stack_frames f ON f.stack_id = s.stack_id AND f.depth = 0 WHERE p.name = 'short_lived'"
                + " GROUP BY ALL ORDER BY n DESC LIMIT 5"));
        assertEquals(6, scalar("SELECT count(DISTINCT s.pid) FROM samples s JOIN processes p USING (pid) WHERE p.name = "
            + "'short_lived' AND EXISTS (SELECT 1 FROM stack_frames f WHERE f.stack_id = s.stack_id AND f.name = 'short_hot')"),
            "every one of the six");
    }
}
