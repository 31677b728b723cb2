package dev.profiler.recorder;

import java.nio.file.Path;
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

    /** How user stacks are walked: with unwind tables from .eh_frame (frame pointers where none), or frame pointers only. */
    public enum CallGraph { DWARF, FP }
}
