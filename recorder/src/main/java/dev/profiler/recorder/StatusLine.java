package dev.profiler.recorder;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The live status of a recording: rewritten in place once a second on a
 * terminal; a plain line every 10 s when stderr is a file or a pipe.
 */
final class StatusLine {
    private final PrintStream err;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastPrint = startNanos;
    private final Map<String, Long> last = new HashMap<>();
    private boolean printedInPlace;

    StatusLine(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** True when a line is due: callers gather the figures (syscalls) only then. */
    boolean due() {
        return System.nanoTime() - lastPrint >= (terminal ? 1_000_000_000L : 10_000_000_000L);
    }

    /**
     * One line: per source (in the given order, only the sources recorded)
     * its count and rate since the last line, then lost and bytes written.
     */
    void update(Map<String, Long> counts, long lost, long bytes) {
        long now = System.nanoTime();
        double secs = (now - lastPrint) / 1e9;
        StringBuilder line = new StringBuilder(String.format("recording %5.1fs", (now - startNanos) / 1e9));
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            long before = last.getOrDefault(e.getKey(), 0L);
            line.append(String.format("  %s %,d (%,.0f/s)", e.getKey(), e.getValue(), (e.getValue() - before) / secs));
        }
        line.append(String.format("  lost %,d  written %s", lost, Bytes.human(bytes)));
        lastPrint = now;
        last.clear();
        last.putAll(counts);
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
