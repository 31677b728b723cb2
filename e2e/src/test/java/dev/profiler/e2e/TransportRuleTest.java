package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profiler.recorder.bpf.BpfSession;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The design rule that keeps the recorder from freezing 6.15-6.18 kernels:
 * a program that can run in NMI context (the perf_event sampler; lock
 * contention, whose tracepoints fire in lock slow paths an NMI may take)
 * writes a BPF ring buffer no other program writes (docs/design.md, "One
 * ring buffer per writer"). Checked on the programs
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
            4 << 20, 256 << 10, List.of("sched", "offcpu_stacks", "locks", "futex", "libraries"), 1 << 20, false));
        s.attachSampler(99, true);
        s.attachSources();
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

    /** Programs that may share a ring buffer: none of them runs in NMI context. */
    static final Set<String> SCHED_PROGRAMS = Set.of("on_switch", "on_waking", "on_wakeup", "on_wakeup_new",
        "on_irq_exit", "on_softirq_exit", "on_proc_fork", "on_proc_exec", "on_proc_exit");

    @Test
    void everyProgramThatCanRunInNmiWritesARingBufferOfItsOwn() throws Exception {
        Tools.requireBpf();
        try (BpfSession s = openAll()) {
            Set<Integer> ours = new HashSet<>();
            for (int id : s.programIds()) ours.add(id);
            JsonNode progs = bpftool("prog", "show");
            Map<Long, Set<String>> writers = new HashMap<>();
            Set<String> loaded = new HashSet<>();
            for (JsonNode p : progs) {
                if (!ours.contains(p.get("id").asInt())) continue;
                String name = p.path("name").asText();
                loaded.add(name);
                if (p.get("id").asInt() == s.samplerProgramId()) assertEquals("perf_event", p.get("type").asText());
                for (Long ring : ringBuffersOf(p)) writers.computeIfAbsent(ring, k -> new HashSet<>()).add(name);
            }
            assertEquals(Set.of("on_cpu_sample", "on_fork", "on_switch", "on_waking", "on_wakeup", "on_wakeup_new",
                    "on_irq_entry", "on_irq_exit", "on_softirq_entry", "on_softirq_exit", "on_nmi",
                    "on_local_timer_entry", "on_local_timer_exit",
                    "on_proc_fork", "on_proc_exec", "on_proc_exit",
                    "on_contention_begin", "on_contention_end", "on_futex_enter", "on_futex_exit", "on_libraries_changed"),
                loaded, "every program of the recorder is loaded and inspected");
            assertEquals(6, writers.size(), "six ring buffers (samples, scheduler events and interrupts, NMIs,"
                + " lock waits, futex waits, code mappings): " + writers);
            for (Set<String> w : writers.values()) {
                boolean alone = w.equals(Set.of("on_cpu_sample")) || w.equals(Set.of("on_contention_end"))
                    || w.equals(Set.of("on_futex_exit")) || w.equals(Set.of("on_nmi")) || w.equals(Set.of("on_libraries_changed"));
                assertTrue(alone || SCHED_PROGRAMS.containsAll(w),
                    "a ring buffer shared by a program that can run in NMI context (the sampler, NMI handling, lock"
                        + " contention): " + w);
            }
            // and no other loaded program (another tool's) writes ours
            for (JsonNode p : progs) {
                if (ours.contains(p.get("id").asInt())) continue;
                for (JsonNode m : p.path("map_ids"))
                    assertFalse(writers.containsKey(m.asLong()),
                        "program " + p.get("id") + " (" + p.path("name").asText() + ") uses our ring buffer " + m);
            }
        }
    }

    @Test
    void stoppingLeavesNoProgramBehind() throws Exception {
        Tools.requireBpf();
        Set<Integer> ours = new HashSet<>();
        try (BpfSession s = openAll()) {
            for (int id : s.programIds()) ours.add(id);
        }
        assertEquals(21, ours.size());
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
