package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.*;

import dev.profiler.formats.Manifest;
import dev.profiler.recorder.bpf.ShimSources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manifest's counters come from the shim's descriptions of them
 * (PROF_COUNTERS): only the recorded sources' counters, each where its kind
 * says. Per-CPU values made up here, so each one's place can be checked.
 */
class ManifestCountersTest {
    @Test
    void onlyTheRecordedSourcesCountersAreWrittenEachByItsKind() throws Exception {
        List<ShimSources.Counter> defs = ShimSources.counters();
        long[][] perCpu = new long[2][defs.size()];
        for (int i = 0; i < defs.size(); i++) {
            perCpu[0][i] = 100 + i; // CPU 0
            perCpu[1][i] = 200 + i; // CPU 1
        }
        Manifest.Counters m = new Manifest.Counters();
        Recording.fillCounters(m, perCpu, List.of("samples", "locks"));

        assertEquals(List.of("samples", "lock_contention"), List.copyOf(m.emittedPerCpu.keySet()));
        assertEquals(List.of("samples", "lock_contention"), List.copyOf(m.lostPerCpu.keySet()));
        int lockLost = index(defs, "lock_contention", "lost");
        assertEquals(List.of(100L + lockLost, 200L + lockLost), m.lostPerCpu.get("lock_contention"));
        int begin = index(defs, "lock_contention_begin", "unpaired");
        int end = index(defs, "lock_contention_end", "unpaired");
        assertEquals(Map.of("lock_contention_begin", 300L + 2 * begin, "lock_contention_end", 300L + 2 * end), m.unpaired);
    }

    @Test
    void theSchedulerSourceBringsItsFourStreams() throws Exception {
        List<ShimSources.Counter> defs = ShimSources.counters();
        Manifest.Counters m = new Manifest.Counters();
        Recording.fillCounters(m, new long[1][defs.size()], List.of("samples", "sched", "offcpu_stacks"));
        assertEquals(List.of("samples", "sched_switch", "sched_wakeup", "irq", "nmi"), List.copyOf(m.emittedPerCpu.keySet()));
        assertTrue(m.unpaired.isEmpty());
    }

    private static int index(List<ShimSources.Counter> defs, String stream, String kind) {
        return defs.stream().filter(c -> c.stream().equals(stream) && c.kind().equals(kind)).findFirst().orElseThrow().index();
    }
}
