package dev.profiler.recorder.bpf;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The C functions of native/shim.c (libprofilershim.so, built by Maven into
 * the recorder's classpath under linux-x86-64/, where JNA finds it).
 * Errors come back as a negative errno or a message in an err buffer.
 */
public interface ShimLibrary extends Library {
    long pshim_clock_ns(int realtime);

    int pshim_abi_version();

    int pshim_possible_cpus();

    Pointer pshim_open(int selfTgid, int filterByTgid, NativeLong sampleRingBytes, NativeLong eventRingBytes,
                       NativeLong wakeupBytes, int sched, int verboseLibbpf, byte[] err, int errLen);

    int pshim_attach_sched(Pointer shim, byte[] err, int errLen);

    int pshim_add_tgid(Pointer shim, int tgid);

    int pshim_attach_sampler(Pointer shim, int freqHz, int allowHardware, byte[] err, int errLen);

    NativeLong pshim_poll(Pointer shim, int timeoutMs, NativeLong maxRows);

    void pshim_batch_info(Pointer shim, long[] out);

    Pointer pshim_batch_new_stacks(Pointer shim);

    Pointer pshim_batch_threads(Pointer shim);

    Pointer pshim_batch_column(Pointer shim, int table, int column);

    int pshim_batch_commit(Pointer shim, long[] stackIds, int n, long weight);

    int pshim_counters(Pointer shim, long[] out, int ncpus);

    void pshim_detach(Pointer shim);

    void pshim_close(Pointer shim);

    int pshim_sampler_prog_id(Pointer shim);

    int pshim_prog_ids(Pointer shim, int[] out, int cap);
}
