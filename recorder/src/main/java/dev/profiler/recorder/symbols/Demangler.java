package dev.profiler.recorder.symbols;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * C++ demangling through libstdc++'s own {@code __cxa_demangle}: the
 * reference implementation, already on every machine with a C++ program,
 * so there is no demangler to write or keep up with the ABI.
 * Names that are not Itanium-mangled (C, Rust v0) pass through unchanged.
 *
 * Called through JNA direct mapping (a static native), as the shim is: the
 * generic Function.invoke converted and boxed its arguments by reflection,
 * ~6% of the recorder's CPU in a build's recording, where every new frame
 * of cc1 is a C++ name.
 */
public final class Demangler {
    private static final boolean AVAILABLE;

    static {
        boolean available = false;
        try {
            Native.register(Demangler.class, NativeLibrary.getInstance("stdc++"));
            available = true;
        } catch (UnsatisfiedLinkError e) {
            // no libstdc++: names stay mangled, which is still correct data
        }
        AVAILABLE = available;
    }

    private Demangler() {}

    /** char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status): malloc'd, or NULL. */
    private static native Pointer __cxa_demangle(byte[] mangled, Pointer buf, Pointer len, int[] status);

    public static boolean available() { return AVAILABLE; }

    public static String demangle(String name) {
        if (name == null || !name.startsWith("_Z") || !AVAILABLE) return name;
        int[] status = new int[1];
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        Pointer p = __cxa_demangle(Arrays.copyOf(utf8, utf8.length + 1), null, null, status); // NUL-terminated
        if (p == null || status[0] != 0) return name;
        try {
            return p.getString(0);
        } finally {
            Native.free(Pointer.nativeValue(p));
        }
    }
}
