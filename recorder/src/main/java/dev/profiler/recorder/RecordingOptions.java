package dev.profiler.recorder;

import java.nio.file.Path;
import java.util.List;

/** What to record and where; built by the CLI, or directly by tests. */
public record RecordingOptions(
    Target target,
    List<Integer> pids,
    List<String> command,
    int frequencyHz,
    Integer durationSeconds,
    Path output,
    boolean force,
    boolean verbose,
    List<String> arguments) {

    public enum Target { SYSTEM, PIDS, COMMAND }

    public static RecordingOptions system(int hz, int seconds, Path out) {
        return new RecordingOptions(Target.SYSTEM, List.of(), List.of(), hz, seconds, out, true, false, List.of());
    }

    public static RecordingOptions command(int hz, Path out, List<String> command) {
        return new RecordingOptions(Target.COMMAND, List.of(), command, hz, null, out, true, false, List.of());
    }
}
