package dev.profiler.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profiler.analyzer.cli.ConvertCommand;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * profiler-convert --to chrome on the synthetic captures, read back as
 * JSON: names for every thread, thread-state slices that add up to
 * thread_states and never overlap on a track, the stalls and lock waits
 * SQL finds (on lanes that never overlap), every sample with a stack that
 * resolves, everything in time order.
 */
class ChromeTraceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    @Test
    void everyScenarioReadsBackAsSqlSeesIt() throws Exception {
        for (Path capture : List.of(Scenarios.freeze(tmp.resolve("freeze.cap")), Scenarios.runqueue(tmp.resolve("runqueue.cap")),
                Scenarios.convoy(tmp.resolve("convoy.cap")), Scenarios.waits(tmp.resolve("waits.cap")))) {
            Path out = tmp.resolve(capture.getFileName() + ".json");
            assertEquals(0, ConvertCommand.run(capture.toString(), "--to", "chrome", "-o", out.toString()));
            JsonNode trace = JSON.readTree(out.toFile());

            Set<Long> named = new HashSet<>();
            Map<String, BigDecimal> lastEnd = new HashMap<>();
            Map<String, Integer> count = new HashMap<>();
            Map<Long, Long> stateNs = new HashMap<>();
            BigDecimal lastTs = null;
            List<Long> freezeNs = new ArrayList<>();
            for (JsonNode e : trace.get("traceEvents")) {
                if (e.get("ph").asText().equals("M")) {
                    // (the stall and lock-wait lanes are threads of pseudo-processes above any pid)
                    if (e.get("name").asText().equals("thread_name") && e.get("pid").asLong() < 5_000_000)
                        named.add(e.get("tid").asLong());
                    continue;
                }
                assertEquals("X", e.get("ph").asText());
                BigDecimal ts = e.get("ts").decimalValue(), end = ts.add(e.get("dur").decimalValue());
                assertTrue(lastTs == null || ts.compareTo(lastTs) >= 0, capture + ": events in time order at " + ts);
                lastTs = ts;
                String track = e.get("pid").asLong() + "/" + e.get("tid").asLong();
                BigDecimal prev = lastEnd.put(track, end);
                assertTrue(prev == null || prev.compareTo(ts) <= 0, capture + ": overlap on track " + track + " at " + ts);
                count.merge(e.get("cat").asText(), 1, Integer::sum);
                if (e.get("cat").asText().equals("thread state"))
                    stateNs.merge(e.get("tid").asLong(), e.get("dur").decimalValue().movePointRight(3).longValueExact(), Long::sum);
                if (e.get("name").asText().equals("freeze")) freezeNs.add(e.get("dur").decimalValue().movePointRight(3).longValueExact());
            }
            try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement()) {
                assertEquals(set(st, "SELECT tid FROM threads"), named, capture + ": a name for every thread");
                assertEquals(scalar(st, "SELECT count(*) FROM thread_states WHERE dur_ns > 0"), (long) count.getOrDefault("thread state", 0));
                assertEquals(scalar(st, "SELECT count(*) FROM stalls()"), (long) count.getOrDefault("stall", 0), capture.toString());
                assertEquals(scalar(st, "SELECT count(*) FROM lock_waits WHERE wait_kind = 'lock'"), (long) count.getOrDefault("lock wait", 0));
                try (ResultSet rs = st.executeQuery("SELECT tid, sum(dur_ns) FROM thread_states GROUP BY tid")) {
                    while (rs.next()) assertEquals(rs.getLong(2), stateNs.getOrDefault(rs.getLong(1), 0L), "tid " + rs.getLong(1));
                }
                List<Long> sqlFreezes = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT dur_ns FROM stalls() WHERE kind = 'freeze' ORDER BY ts_begin")) {
                    while (rs.next()) sqlFreezes.add(rs.getLong(1));
                }
                assertEquals(sqlFreezes, freezeNs);

                JsonNode frames = trace.get("stackFrames");
                BigDecimal lastSample = null;
                for (JsonNode s : trace.get("samples")) {
                    BigDecimal ts = s.get("ts").decimalValue();
                    assertTrue(lastSample == null || ts.compareTo(lastSample) >= 0, "samples in time order");
                    lastSample = ts;
                    assertTrue(frames.has(s.get("sf").asText()), "sample's stack frame " + s);
                }
                assertEquals(scalar(st, "SELECT count(*) FROM samples"), trace.get("samples").size());
                for (var it = frames.fields(); it.hasNext(); ) {
                    JsonNode f = it.next().getValue();
                    assertTrue(!f.has("parent") || frames.has(f.get("parent").asText()), "parent of " + f);
                }
            }
        }
    }

    @Test
    void theFreezeScenarioShowsItsThreeFreezes() throws Exception {
        Path capture = Scenarios.freeze(tmp.resolve("freeze.cap"));
        Path out = tmp.resolve("freeze.json");
        assertEquals(0, ConvertCommand.run(capture.toString(), "--to", "chrome", "-o", out.toString()));
        List<JsonNode> freezes = new ArrayList<>();
        for (JsonNode e : JSON.readTree(out.toFile()).get("traceEvents"))
            if (e.path("name").asText().equals("freeze")) freezes.add(e);
        assertEquals(3, freezes.size());
        for (int i = 0; i < 3; i++) {
            double beginMs = freezes.get(i).get("ts").asDouble() / 1000, lengthMs = freezes.get(i).get("dur").asDouble() / 1000;
            assertEquals(Scenarios.FREEZES[i] / 1e6, beginMs, Scenarios.PERIOD / 1e6);
            assertEquals(Scenarios.FREEZE_LENGTH / 1e6, lengthMs, 2 * Scenarios.PERIOD / 1e6);
            assertTrue(freezes.get(i).get("args").get("cause").asText().contains("resilient_queued_spin_lock_slowpath"));
        }
    }

    @Test
    void blockedSlicesAndStallsCarryTheirWaitKind() throws Exception {
        Path capture = Scenarios.waits(tmp.resolve("waits.cap"));
        Path out = tmp.resolve("waits.json");
        assertEquals(0, ConvertCommand.run(capture.toString(), "--to", "chrome", "-o", out.toString()));
        Map<String, String> blockedByTid = new HashMap<>();
        Set<String> stallNames = new HashSet<>();
        for (JsonNode e : JSON.readTree(out.toFile()).get("traceEvents")) {
            String cat = e.path("cat").asText();
            if (cat.equals("thread state") && !e.get("name").asText().matches("running|runnable"))
                blockedByTid.put(e.get("tid").asText(), e.get("name").asText() + " / " + e.get("args").get("reason").asText());
            if (cat.equals("stall")) stallNames.add(e.get("name").asText());
        }
        assertEquals("sleeping (idle) / idle: read, by syscall", blockedByTid.get("404"), "the pipe reader");
        assertEquals("uninterruptible (io) / io: read, by iowait", blockedByTid.get("407"), "the loader");
        assertEquals("sleeping (lock) / lock: FUTEX_WAIT, by futex-op", blockedByTid.get("406"), "the convoy's waiter");
        assertEquals(Set.of("blocked (lock)", "blocked (io)"), stallNames);
    }

    @Test
    void withTidTheTraceHasThatThreadsCriticalPath() throws Exception {
        Path capture = Scenarios.chain(tmp.resolve("chain.cap"));
        Path out = tmp.resolve("chain.json");
        assertEquals(0, ConvertCommand.run(capture.toString(), "--to", "chrome", "--tid", "501", "-o", out.toString()));
        List<String> pieces = new ArrayList<>();
        long covered = 0;
        for (JsonNode e : JSON.readTree(out.toFile()).get("traceEvents"))
            if (e.path("cat").asText().equals("critical path")) {
                pieces.add(e.get("name").asText());
                covered += e.get("dur").decimalValue().movePointRight(3).longValueExact();
            }
        assertEquals(1000 * Scenarios.MS, covered, "the pieces cover A's life: " + pieces);
        assertTrue(pieces.contains("C (503): running"), pieces.toString());
        assertTrue(pieces.contains("C (503): blocked: idle (read), woken by hardirq"), pieces.toString());
    }

    private static long scalar(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<Long> set(Statement st, String sql) throws Exception {
        Set<Long> out = new HashSet<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getLong(1));
        }
        return out;
    }
}
