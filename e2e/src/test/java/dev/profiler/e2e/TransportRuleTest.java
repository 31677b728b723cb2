package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profiler.recorder.bpf.BpfSession;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The design rule that keeps the recorder from freezing 6.15-6.18 kernels:
 * the perf_event sampler's BPF ring buffer is written by no other program
 * (docs/design.md, "One ring buffer per writer"). Checked on the programs
 * as the kernel has them loaded, through bpftool, not on our source.
 */
class TransportRuleTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode bpftool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bpftool", "-j"));
        cmd.addAll(List.of(args));
        Tools.Result r = Tools.run(cmd, 60);
        assertEquals(0, r.exit(), r.toString());
        return JSON.readTree(r.stdout());
    }

    static BpfSession openAll() throws Exception {
        BpfSession s = BpfSession.open(new BpfSession.Config((int) ProcessHandle.current().pid(), true, 4 << 20,
            4 << 20, 256 << 10, true, false));
        s.attachSampler(99, true);
        s.attachSched();
        return s;
    }

    static Set<Long> ringBuffersOf(JsonNode prog) throws Exception {
        Set<Long> rings = new HashSet<>();
        for (JsonNode m : prog.path("map_ids")) {
            JsonNode map = bpftool("map", "show", "id", m.asText());
            if (map.get("type").asText().equals("ringbuf")) rings.add(m.asLong());
        }
        return rings;
    }

    @Test
    void samplerRingBufferIsWrittenByNoOtherLoadedProgram() throws Exception {
        Tools.requireBpf();
        try (BpfSession s = openAll()) {
            int sampler = s.samplerProgramId();
            Set<Integer> ours = new HashSet<>();
            for (int id : s.programIds()) ours.add(id);
            JsonNode progs = bpftool("prog", "show");
            Set<Long> samplerRingBuffers = new HashSet<>();
            Set<String> loaded = new HashSet<>();
            for (JsonNode p : progs) {
                if (!ours.contains(p.get("id").asInt())) continue;
                loaded.add(p.path("name").asText());
                if (p.get("id").asInt() != sampler) continue;
                assertEquals("perf_event", p.get("type").asText());
                samplerRingBuffers.addAll(ringBuffersOf(p));
            }
            assertEquals(Set.of("on_cpu_sample", "on_fork", "on_switch", "on_waking", "on_wakeup", "on_wakeup_new"),
                loaded, "every program of the recorder is loaded and inspected");
            assertFalse(samplerRingBuffers.isEmpty(), "the sampler writes a ring buffer of its own");
            Set<Long> schedRings = new HashSet<>();
            for (JsonNode p : progs) {
                if (p.get("id").asInt() == sampler) continue;
                Set<Long> rings = ringBuffersOf(p);
                for (Long m : rings)
                    assertFalse(samplerRingBuffers.contains(m),
                        "program " + p.get("id") + " (" + p.path("name").asText() + ") shares the sampler's ring buffer " + m);
                if (p.path("name").asText().equals("on_switch") && ours.contains(p.get("id").asInt())) schedRings.addAll(rings);
            }
            assertFalse(schedRings.isEmpty(), "the scheduler programs write a ring buffer (of their own)");
        }
    }

    @Test
    void stoppingLeavesNoProgramBehind() throws Exception {
        Tools.requireBpf();
        Set<Integer> ours = new HashSet<>();
        try (BpfSession s = openAll()) {
            for (int id : s.programIds()) ours.add(id);
        }
        assertEquals(6, ours.size());
        // The kernel frees a detached tracing program after an RCU grace
        // period (tasks-trace for trampolines), so allow it a few seconds.
        Set<String> left = new HashSet<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            left.clear();
            for (JsonNode p : bpftool("prog", "show"))
                if (ours.contains(p.get("id").asInt())) left.add(p.get("id") + " " + p.path("name").asText());
            if (left.isEmpty()) return;
            Thread.sleep(100);
        }
        fail("still loaded 5 s after close: " + left);
    }
}
