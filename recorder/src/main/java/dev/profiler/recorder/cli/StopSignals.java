package dev.profiler.recorder.cli;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.function.Consumer;

/**
 * SIGINT and SIGTERM stop a recording. A shell that starts a command in the
 * background of a script (`profiler-rec ... &`) starts it with SIGINT
 * ignored, and the JVM then silently leaves an ignored signal alone: `kill
 * -INT` did nothing and the recording ran on. So the disposition is reset
 * first, as perf record's plain signal() does.
 */
final class StopSignals {
    private static final int SIGINT = 2, SIGTERM = 15;
    private static final long SIG_DFL = 0;

    private StopSignals() {}

    /** Calls stop with "stopped by SIGINT" (or SIGTERM) when one comes. */
    static void install(Consumer<String> stop) {
        LibC.signal(SIGINT, SIG_DFL);
        LibC.signal(SIGTERM, SIG_DFL);
        for (String sig : new String[] {"INT", "TERM"})
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> stop.accept("stopped by SIG" + sig));
    }

    /** JNA direct mapping: one libc call, no interface proxy. */
    private static final class LibC {
        static {
            Native.register(LibC.class, Platform.C_LIBRARY_NAME);
        }

        static native long signal(int signum, long handler);
    }
}
