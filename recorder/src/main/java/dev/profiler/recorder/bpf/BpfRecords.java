package dev.profiler.recorder.bpf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Java mirror of bpf/profiler.h: record kinds, counter indexes and the
 * byte layout of each record. The only class that knows those offsets.
 */
public final class BpfRecords {
    public static final int ABI_VERSION = 1;
    public static final int MAX_FRAMES = 127;

    public static final int REC_SAMPLE = 1;

    public static final int CNT_SAMPLES_EMITTED = 0;
    public static final int CNT_SAMPLES_LOST = 1;
    public static final int CNT_MAX = 2;

    public static final int SAMPLE_F_KSTACK_ERR = 1;
    public static final int SAMPLE_F_USTACK_ERR = 2;

    /** struct prof_sample: offsets in bytes. */
    static final int S_KIND = 0, S_CPU = 4, S_TS = 8, S_PID = 16, S_TID = 20,
        S_KSTACK_LEN = 24, S_USTACK_LEN = 26, S_FLAGS = 28, S_COMM = 32, S_IPS = 48;
    public static final int SAMPLE_HEADER_BYTES = 48;

    private BpfRecords() {}

    /** One decoded CPU sample. Stacks are leaf first. */
    public record Sample(int cpu, long ts, int pid, int tid, int flags, String comm,
                         long[] kernelIps, long[] userIps) {}

    public static int kind(ByteBuffer b, int at) {
        return b.getInt(at + S_KIND);
    }

    /** Decodes a sample at {@code at}; {@code len} bounds what may be read. */
    public static Sample decodeSample(ByteBuffer b, int at, int len) {
        if (len < SAMPLE_HEADER_BYTES) throw new IllegalArgumentException("short sample record: " + len);
        int kn = Short.toUnsignedInt(b.getShort(at + S_KSTACK_LEN));
        int un = Short.toUnsignedInt(b.getShort(at + S_USTACK_LEN));
        if (kn > MAX_FRAMES || un > MAX_FRAMES || SAMPLE_HEADER_BYTES + 8L * (kn + un) > len)
            throw new IllegalArgumentException("sample record stacks exceed its length");
        long[] k = new long[kn];
        long[] u = new long[un];
        int p = at + S_IPS;
        for (int i = 0; i < kn; i++, p += 8) k[i] = b.getLong(p);
        for (int i = 0; i < un; i++, p += 8) u[i] = b.getLong(p);
        return new Sample(b.getInt(at + S_CPU), b.getLong(at + S_TS), b.getInt(at + S_PID),
            b.getInt(at + S_TID), b.getInt(at + S_FLAGS), cString(b, at + S_COMM, 16), k, u);
    }

    static String cString(ByteBuffer b, int at, int max) {
        int n = 0;
        while (n < max && b.get(at + n) != 0) n++;
        byte[] bytes = new byte[n];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
