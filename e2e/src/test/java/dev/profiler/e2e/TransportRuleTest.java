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

    @Test
    void samplerRingBufferIsWrittenByNoOtherLoadedProgram() throws Exception {
        Tools.requireBpf();
        try (BpfSession s = BpfSession.open((int) ProcessHandle.current().pid(), true, 4 << 20, 256 << 10, false)) {
            s.attachSampler(99, true);
            int sampler = s.samplerProgramId();
            JsonNode progs = bpftool("prog", "show");
            Set<Long> samplerRingBuffers = new HashSet<>();
            for (JsonNode p : progs) {
                if (p.get("id").asInt() != sampler) continue;
                assertEquals("perf_event", p.get("type").asText());
                for (JsonNode m : p.path("map_ids")) {
                    JsonNode map = bpftool("map", "show", "id", m.asText());
                    if (map.get("type").asText().equals("ringbuf")) samplerRingBuffers.add(m.asLong());
                }
            }
            assertFalse(samplerRingBuffers.isEmpty(), "the sampler writes a ring buffer of its own");
            for (JsonNode p : progs) {
                if (p.get("id").asInt() == sampler) continue;
                for (JsonNode m : p.path("map_ids"))
                    assertFalse(samplerRingBuffers.contains(m.asLong()),
                        "program " + p.get("id") + " (" + p.path("name").asText() + ") shares the sampler's ring buffer " + m);
            }
        }
    }

    @Test
    void stoppingLeavesNoProgramBehind() throws Exception {
        Tools.requireBpf();
        int sampler;
        try (BpfSession s = BpfSession.open((int) ProcessHandle.current().pid(), true, 4 << 20, 256 << 10, false)) {
            s.attachSampler(99, true);
            sampler = s.samplerProgramId();
        }
        for (JsonNode p : bpftool("prog", "show"))
            assertNotEquals(sampler, p.get("id").asInt(), "sampler still loaded after close");
    }
}
