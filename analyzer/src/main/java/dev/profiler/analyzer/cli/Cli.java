package dev.profiler.analyzer.cli;

import dev.profiler.formats.CaptureException;
import picocli.CommandLine;

/** Shared picocli setup: user errors print one line and exit 2 (usage) or 1 (failure), never a stack trace. */
final class Cli {
    private Cli() {}

    static int execute(String name, Object command, String... argv) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UsageException || ex instanceof CaptureException) {
                commandLine.getErr().println(name + ": " + ex.getMessage());
                return 2;
            }
            if (ex instanceof QueryException) {
                commandLine.getErr().println(name + ": " + ex.getMessage());
                return 1;
            }
            if (ex instanceof java.io.IOException io) {
                commandLine.getErr().println(name + ": " + io.getMessage());
                return 1;
            }
            commandLine.getErr().println(name + ": internal error: " + ex);
            return 1;
        });
        return cli.execute(argv);
    }
}
