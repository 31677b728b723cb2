package dev.profiler.formats;

/** A problem with a capture a user can act on; its message is one line. */
public class CaptureException extends Exception {
    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
