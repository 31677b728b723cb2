package dev.profiler.recorder.symbols;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * C++ demangling through libstdc++'s own {@code __cxa_demangle}: the
 * reference implementation, already on every machine with a C++ program,
 * so there is no demangler to write or keep up with the ABI.
 * Names that are not Itanium-mangled (C, Rust v0) pass through unchanged.
 */
public final class Demangler {
    private static final Function CXA_DEMANGLE;
    private static final Function FREE;

    static {
        Function demangle = null, free = null;
        try {
            demangle = NativeLibrary.getInstance("stdc++").getFunction("__cxa_demangle");
            free = NativeLibrary.getInstance("c").getFunction("free");
        } catch (UnsatisfiedLinkError e) {
            // no libstdc++: names stay mangled, which is still correct data
        }
        CXA_DEMANGLE = demangle;
        FREE = free;
    }

    private Demangler() {}

    public static boolean available() { return CXA_DEMANGLE != null; }

    public static String demangle(String name) {
        if (name == null || !name.startsWith("_Z") || CXA_DEMANGLE == null) return name;
        int[] status = new int[1];
        // A NUL-terminated byte[], not the String: JNA copies an array for the
        // call only, where a String becomes a native Memory freed by a
        // Cleaner after a collection (7.9k of them alive in a build's 20 s).
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] mangled = Arrays.copyOf(utf8, utf8.length + 1);
        Pointer p = (Pointer) CXA_DEMANGLE.invoke(Pointer.class, new Object[] {mangled, null, null, status});
        if (p == null || status[0] != 0) return name;
        try {
            return p.getString(0);
        } finally {
            FREE.invokeVoid(new Object[] {p});
        }
    }
}
