package dev.profiler.recorder;

import java.io.PrintStream;

/**
 * The live status of a recording: rewritten in place once a second on a
 * terminal; a plain line every 10 s when stderr is a file or a pipe.
 */
final class StatusLine {
    private final PrintStream err;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastPrint = startNanos;
    private long lastSamples;
    private long lastSched;
    private boolean printedInPlace;

    StatusLine(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** True when a line is due: callers gather the figures (syscalls) only then. */
    boolean due() {
        return System.nanoTime() - lastPrint >= (terminal ? 1_000_000_000L : 10_000_000_000L);
    }

    /** sched < 0: scheduler events are not recorded. */
    void update(long samples, long sched, long lost, long bytes) {
        long now = System.nanoTime();
        double secs = (now - lastPrint) / 1e9;
        String line = String.format("recording %5.1fs  samples %,d (%,.0f/s)%s  lost %,d  written %s",
            (now - startNanos) / 1e9, samples, (samples - lastSamples) / secs,
            sched < 0 ? "" : String.format("  sched %,d (%,.0f/s)", sched, (sched - lastSched) / secs),
            lost, Bytes.human(bytes));
        lastPrint = now;
        lastSamples = samples;
        lastSched = sched;
        if (terminal) {
            err.print("\r" + line + "\u001b[K");
            printedInPlace = true;
        } else {
            err.println(line);
        }
        err.flush();
    }

    void end() {
        if (printedInPlace) err.print("\r\u001b[K");
        err.flush();
    }
}
