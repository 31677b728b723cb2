package dev.profiler.recorder.symbols;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * /proc/kallsyms parsed by native/kallsyms.c (in libprofilershim.so): three
 * address-sorted tables and the file's bytes that their names point into.
 * See kallsyms.h for why this is C.
 */
final class NativeKallsyms {
    static final int FUNCTIONS = 0, MODULES = 1, DATA = 2;

    static {
        Native.register(NativeKallsyms.class, "profilershim");
    }

    private NativeKallsyms() {}

    /** One table: addresses ascending (unsigned), one per address, and each name's offset in the text. */
    record Table(long[] addrs, int[] names) {}

    /** The parsed file. */
    record Parsed(byte[] text, Table functions, Table modules, Table data) {}

    static Parsed read(Path kallsyms) throws IOException {
        byte[] err = new byte[256];
        Pointer k = pshim_kallsyms_read(kallsyms.toString(), err, err.length);
        if (k == null) throw new IOException(Native.toString(err));
        try {
            byte[] text = new byte[Math.toIntExact(pshim_kallsyms_text_length(k))];
            pshim_kallsyms_copy_text(k, text);
            return new Parsed(text, table(k, FUNCTIONS), table(k, MODULES), table(k, DATA));
        } finally {
            pshim_kallsyms_free(k);
        }
    }

    private static Table table(Pointer k, int which) {
        int n = pshim_kallsyms_count(k, which);
        long[] addrs = new long[n];
        int[] names = new int[n];
        pshim_kallsyms_copy(k, which, addrs, names);
        return new Table(addrs, names);
    }

    private static native Pointer pshim_kallsyms_read(String path, byte[] err, int errLen);

    private static native void pshim_kallsyms_free(Pointer k);

    private static native long pshim_kallsyms_text_length(Pointer k);

    private static native void pshim_kallsyms_copy_text(Pointer k, byte[] dst);

    private static native int pshim_kallsyms_count(Pointer k, int table);

    private static native void pshim_kallsyms_copy(Pointer k, int table, long[] addrs, int[] names);
}
