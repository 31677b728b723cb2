package dev.profiler.analyzer.convert;

import java.io.PrintStream;

/**
 * A progress line for long conversions, redrawn at most every 200 ms on a
 * terminal's stderr ("profiler-convert: pprof 1,234,567 / 9,876,543 rows
 * 12%"), and nothing at all when stderr is not a terminal or for quick ones.
 */
public final class Progress {
    /** One that shows nothing (tests, scripts). */
    public static final Progress NONE = new Progress(null, null, 0);

    private final PrintStream err;
    private final String what;
    private final long total;
    private long done, lastDraw = System.nanoTime();
    private boolean drawn;

    private Progress(PrintStream err, String what, long total) {
        this.err = err;
        this.what = what;
        this.total = total;
    }

    /** On stderr if it is a terminal; total 0 when unknown. */
    public static Progress onTerminal(String what, long total) {
        return System.console() == null ? NONE : new Progress(System.err, what, total);
    }

    public void advance(long n) {
        done += n;
        if (err == null) return;
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L) return;
        lastDraw = now;
        drawn = true;
        err.printf("\rprofiler-convert: %s %,d%s rows%s", what, done, total > 0 ? String.format(" / %,d", total) : "",
            total > 0 ? String.format(" %d%%", Math.min(100, done * 100 / total)) : "");
        err.flush();
    }

    /** Clears the line, if one was drawn. */
    public void finish() {
        if (err != null && drawn) err.print("\r\033[K");
    }
}
