package dev.profiler.analyzer.cli;

import dev.profiler.analyzer.reports.ReportSettings;
import picocli.CommandLine.Option;

/**
 * The options that narrow a report or a conversion (--threshold, --pid,
 * --tid, --since, --until, --include-idle), shared by profiler-query and profiler-convert
 * as a picocli mixin; checked and turned into {@link ReportSettings}.
 */
public final class FilterOptions {
    @Option(names = "--threshold", paramLabel = "MS", description = "stalls at least this long (default 50 ms)")
    Double thresholdMs;

    @Option(names = "--pid", paramLabel = "PID", description = "only this process")
    Integer pid;

    @Option(names = "--tid", paramLabel = "TID", description = "only this thread")
    Integer tid;

    @Option(names = "--since", paramLabel = "SECONDS", description = "from this many seconds after the capture's start")
    Double sinceS;

    @Option(names = "--until", paramLabel = "SECONDS", description = "up to this many seconds after the capture's start")
    Double untilS;

    @Option(names = "--include-idle", description = "stalls: also threads waiting for work or input, sleeping,"
        + " joining, or in a futex wait that may be a condition variable")
    boolean includeIdle;

    ReportSettings settings() throws UsageException {
        if (thresholdMs != null && !(thresholdMs > 0)) throw new UsageException("--threshold must be more than 0 ms");
        if (sinceS != null && untilS != null && sinceS > untilS)
            throw new UsageException("--since " + sinceS + " is after --until " + untilS);
        return new ReportSettings(thresholdMs, pid, tid, sinceS, untilS, includeIdle);
    }
}
