package dev.profiler.recorder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What to record and where; built by the CLI, or directly by tests. */
public record RecordingOptions(
    Target target,
    List<Integer> pids,
    List<String> command,
    int frequencyHz,
    boolean sched,
    boolean offcpuStacks,
    boolean locks,
    boolean futex,
    CallGraph callGraph,
    Integer durationSeconds,
    Path output,
    boolean force,
    boolean verbose,
    List<String> arguments) {

    public enum Target { SYSTEM, PIDS, COMMAND }

    /**
     * The recorded sources by the shim's names (ShimSources), as the manifest
     * lists them: samples always, then sched, offcpu_stacks, locks, futex,
     * and with --call-graph dwarf libraries (changes of recorded processes'
     * loaded libraries, so new ones' unwind tables come before their first
     * samples; off where it cannot attach, BpfSession.sourceOn).
     */
    public List<String> sources() {
        List<String> on = new ArrayList<>(List.of("samples"));
        if (sched) on.add("sched");
        if (sched && offcpuStacks) on.add("offcpu_stacks");
        if (locks) on.add("locks");
        if (futex) on.add("futex");
        if (callGraph == CallGraph.DWARF) on.add("libraries");
        return on;
    }

    /** How user stacks are walked: with unwind tables from .eh_frame (frame pointers where none), or frame pointers only. */
    public enum CallGraph { DWARF, FP }
}
