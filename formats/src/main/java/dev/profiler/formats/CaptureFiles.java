package dev.profiler.formats;

/** File names inside a capture directory. */
public final class CaptureFiles {
    /** Arrow IPC *stream* format: no footer, so a file cut short stays
     *  readable up to its last complete batch, and a dictionary that grows
     *  is re-sent (the IPC file format writes each dictionary once only). */
    public static final String TABLE_SUFFIX = ".arrows";
    public static final String MANIFEST = "manifest.json";
    public static final int FORMAT_VERSION = 1;

    private CaptureFiles() {}
}
