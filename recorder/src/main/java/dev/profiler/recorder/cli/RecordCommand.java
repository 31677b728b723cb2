package dev.profiler.recorder.cli;

import dev.profiler.recorder.RecorderException;
import dev.profiler.recorder.Recording;
import dev.profiler.recorder.RecordingOptions;
import dev.profiler.recorder.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "profiler-rec", mixinStandardHelpOptions = true, version = "profiler-rec " + Version.VERSION,
    sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Records CPU stack samples and scheduler events (context switches, wakeups) with eBPF into a",
        "capture directory (Arrow files + manifest.json).",
        "Records the whole machine unless -p or a command is given. Stops after -d seconds, when the",
        "command or the -p processes exit, or on Ctrl-C; what was recorded is always kept."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:recorded", "1:recording failed (what was written is kept)",
        "2:bad arguments, missing privileges or output refused"})
public final class RecordCommand implements Callable<Integer> {
    @Option(names = {"-a", "--all-cpus"}, description = "Record the whole machine (the default); with -- CMD, while CMD runs.")
    boolean system;

    @Option(names = {"-p", "--pid"}, split = ",", paramLabel = "PID",
        description = "Record only these processes (and the processes they start).")
    List<Integer> pids = new ArrayList<>();

    @Option(names = "-F", paramLabel = "HZ", defaultValue = "99",
        description = "Samples per second per CPU (default: ${DEFAULT-VALUE}).")
    int frequencyHz;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Integer durationSeconds;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.cap", description = "Capture directory to create.")
    Path output;

    @Option(names = "--force", description = "Replace OUT.cap if it is a previous capture.")
    boolean force;

    @Option(names = "--offcpu-stacks", description = "Record the stack of every thread switched out (where it blocked or was preempted).")
    boolean offcpuStacks;

    @Option(names = "--locks", description = "Record kernel lock contention (lock:contention_begin/end), with the waiter's kernel stack.")
    boolean locks;

    @Option(names = "--futex", description = "Record user-space futex waits (mutexes, condition variables), with the waiter's user stack.")
    boolean futex;

    @Option(names = "--all", description = "Record every optional source: --offcpu-stacks --locks --futex.")
    boolean all;

    @Option(names = "--call-graph", paramLabel = "MODE", defaultValue = "dwarf",
        description = "How user stacks are walked: dwarf (unwind tables from each file's .eh_frame, built by the recorder;"
            + " frame pointers where a file has none, e.g. JIT code) or fp (frame pointers only: cheaper, but stacks"
            + " stop in code built without them, such as Debian's libc). Default: ${DEFAULT-VALUE}.")
    String callGraph;

    @Option(names = "--no-sched", description = "Do not record scheduler events (context switches, wakeups): CPU samples only.")
    boolean noSched;

    @Option(names = "--verbose", description = "Print libbpf's messages.")
    boolean verbose;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "-- CMD ARGS: run this command and record it (and its children).")
    List<String> command = new ArrayList<>();

    private List<String> rawArgs = List.of();

    @Override
    public Integer call() throws RecorderException {
        if (!pids.isEmpty() && (system || !command.isEmpty()))
            throw new RecorderException("-p cannot be combined with -a or -- CMD", 2);
        if (durationSeconds != null && durationSeconds <= 0) throw new RecorderException("-d must be positive", 2);
        if (noSched && offcpuStacks)
            throw new RecorderException("--offcpu-stacks needs scheduler events; drop --no-sched", 2);
        if (noSched && all) throw new RecorderException("--all includes scheduler events; drop --no-sched", 2);
        if (!callGraph.equals("dwarf") && !callGraph.equals("fp"))
            throw new RecorderException("--call-graph is dwarf or fp, not " + callGraph, 2);
        RecordingOptions.Target target = !pids.isEmpty() ? RecordingOptions.Target.PIDS
            : !command.isEmpty() && !system ? RecordingOptions.Target.COMMAND : RecordingOptions.Target.SYSTEM;
        RecordingOptions opts = new RecordingOptions(target, List.copyOf(pids), List.copyOf(command), frequencyHz, !noSched,
            offcpuStacks || all, locks || all, futex || all,
            callGraph.equals("fp") ? RecordingOptions.CallGraph.FP : RecordingOptions.CallGraph.DWARF, durationSeconds, output, force, verbose, rawArgs);
        Recording recording = new Recording(opts, System.err);
        // Ctrl-C and SIGTERM stop the recording; it then finishes writing
        // (detach, drain, counters) and exits normally, with its summary.
        StopSignals.install(recording::requestStop);
        String summary = recording.run();
        System.err.println(summary);
        if (recording.commandExitCode() != null && recording.commandExitCode() == 127)
            System.err.println("profiler-rec: the command exited with 127: not found?");
        return 0;
    }

    public static int run(String... args) {
        RecordCommand cmd = new RecordCommand();
        cmd.rawArgs = List.of(args);
        CommandLine cli = new CommandLine(cmd);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof RecorderException re) {
                commandLine.getErr().println("profiler-rec: " + re.getMessage());
                return re.exitCode();
            }
            commandLine.getErr().println("profiler-rec: internal error: " + ex);
            return 1;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
