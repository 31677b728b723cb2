package dev.profiler.recorder.unwind;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The BPF maps the walker reads (bpf/profiler.h, "Unwind tables"), as the
 * loader writes them: the session's in a recording, plain memory in tests.
 */
public interface UnwindMaps {
    /** The arrays (native/unwind_maps.h's enum unwind_array). */
    int ROWS = 0, PAGES = 1, RULES = 2;

    /** Elements the array holds. */
    long capacity(int array);

    /** Writes count elements, packed little-endian from the buffer's position, to [first, first + count). */
    void write(int array, long first, ByteBuffer elements, int count) throws IOException;

    /** Sets a process's mappings (a struct prof_unwind_process), or deletes them when process is null. */
    void setProcess(int pid, ByteBuffer process) throws IOException;
}
