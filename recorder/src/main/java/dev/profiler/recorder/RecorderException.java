package dev.profiler.recorder;

/** A recording could not start or finish; one line for the user, and the exit code. */
public class RecorderException extends Exception {
    private final int exitCode;

    public RecorderException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
