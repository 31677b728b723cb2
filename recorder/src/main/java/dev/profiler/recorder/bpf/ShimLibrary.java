package dev.profiler.recorder.bpf;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The C functions of native/shim.c (libprofilershim.so, built by Maven into
 * the recorder's classpath under linux-x86-64/, where JNA finds it).
 * Errors come back as a negative errno or a message in an err buffer.
 *
 * JNA direct mapping (static natives bound by {@link #register}), not an
 * interface proxy: a proxy call goes through reflection and a method map,
 * and with ~20 calls per poll that machinery, interpreted and then compiled
 * bit by bit, was a visible share of the recorder's idle CPU. C `long`
 * and `unsigned long` are plain Java longs (x86-64 is LP64): JNA builds a
 * NativeLong return value by reflection on every call.
 */
final class ShimLibrary {
    private ShimLibrary() {}

    /** Binds the natives; UnsatisfiedLinkError if the library cannot be loaded. */
    static void register() {
        Native.register(ShimLibrary.class, "profilershim");
    }

    static native long pshim_clock_ns(int realtime);

    static native int pshim_abi_version();

    static native int pshim_possible_cpus();

    static native Pointer pshim_open(int selfTgid, int filterByTgid, long sampleRingBytes, long eventRingBytes,
                       long wakeupBytes, int sources, long unwindRows, int verboseLibbpf, byte[] err, int errLen);

    static native long pshim_unwind_capacity(Pointer shim, int which);

    static native int pshim_unwind_write(Pointer shim, int which, long first, java.nio.Buffer src, long count);

    static native int pshim_unwind_set_process(Pointer shim, int pid, java.nio.Buffer src, int size);

    static native long pshim_record_layout(String name);

    static native int pshim_source_count();

    static native String pshim_source_name(int i);

    static native String pshim_source_needs(int i);

    static native int pshim_counter_count();

    static native String pshim_counter_source(int i);

    static native String pshim_counter_stream(int i);

    static native String pshim_counter_kind(int i);

    static native int pshim_attach_sources(Pointer shim, byte[] err, int errLen);

    static native int pshim_source_on(Pointer shim, int i);

    static native int pshim_lock_waits_open(Pointer shim);

    static native int pshim_add_tgid(Pointer shim, int tgid);

    static native int pshim_is_target(Pointer shim, int tgid);

    static native int pshim_attach_sampler(Pointer shim, int freqHz, int allowHardware, byte[] err, int errLen);

    static native long pshim_poll(Pointer shim, int timeoutMs);

    static native long pshim_run(Pointer shim, int timeoutMs, long maxAgeNs, long weight);

    static native int pshim_write_error(Pointer shim);

    static native long pshim_rows_taken(Pointer shim, int table);

    static native long pshim_all_thread_count(Pointer shim);

    static native Pointer pshim_all_threads(Pointer shim);

    /** Ends the current or next pshim_poll wait at once; any thread. */
    static native void pshim_wake(Pointer shim);

    static native void pshim_batch_info(Pointer shim, long[] out);

    static native Pointer pshim_batch_new_stacks(Pointer shim);

    static native Pointer pshim_batch_threads(Pointer shim);

    static native Pointer pshim_batch_new_names(Pointer shim);

    static native Pointer pshim_batch_procs(Pointer shim);

    static native int pshim_table_count();

    static native String pshim_table_name(int table);

    static native int pshim_column_count(int table);

    static native String pshim_column_name(int table, int column);

    static native int pshim_column_width(int table, int column);

    static native Pointer pshim_batch_column(Pointer shim, int table, int column);

    static native int pshim_batch_commit(Pointer shim, long[] stackIds, int n, long weight);

    static native int pshim_table_write_to(Pointer shim, int table, String path, int[] nullable, int batchRows);

    static native int pshim_tables_write(Pointer shim, long maxAgeNs);

    static native long pshim_tables_ns_until_due(Pointer shim, long maxAgeNs);

    static native long pshim_table_rows_written(Pointer shim, int table);

    static native int pshim_tables_close(Pointer shim);

    static native String pshim_strerror(int errno);

    // native/ipc_writer.h: batches Java filled, written by the shim (ShimBatchSink)

    static native Pointer ipc_writer_open_stream(String path, int[] error);

    static native int ipc_writer_write_buffers(Pointer writer, java.nio.Buffer prefix, long prefixLen, int rows,
                                               int nnodes, long[] nodes, int nbuffers, long[] buffers);

    static native int ipc_writer_close(Pointer writer, long[] rowsWritten);

    static native int pshim_counters(Pointer shim, long[] out, int ncpus);

    static native void pshim_detach(Pointer shim);

    static native void pshim_close(Pointer shim);

    static native int pshim_sampler_prog_id(Pointer shim);

    static native int pshim_prog_ids(Pointer shim, int[] out, int cap);
}
