package dev.profiler.recorder.symbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Kernel text symbols from /proc/kallsyms (root sees real addresses), and
 * data symbols, which name the static locks that lock contention reports.
 * Module symbols carry their module name ("[ext4]"); the core kernel is
 * "[kernel.kallsyms]", as perf names it.
 *
 * Parsed in C (native/kallsyms.c: ~120k lines at every recorder start),
 * keeping names as offsets into the file's bytes: a String per line was
 * most of that cost once, and parsing in the interpreter the rest.
 */
public final class KernelSymbols {
    public static final String KERNEL_MODULE = "[kernel.kallsyms]";

    /** Data symbols lie in the kernel image or modules, above this address. */
    static final long KERNEL_IMAGE_START = 0xffffffff80000000L;
    /** A data hit further than this from its symbol is taken as not in it (no sizes in kallsyms). */
    static final long MAX_DATA_OFFSET = 64 * 1024;

    private final SymbolTable table;
    private final SymbolTable moduleOf;
    private final SymbolTable data;

    private KernelSymbols(SymbolTable table, SymbolTable moduleOf, SymbolTable data) {
        this.table = table;
        this.moduleOf = moduleOf;
        this.data = data;
    }

    public static KernelSymbols load(Path kallsyms) throws IOException {
        NativeKallsyms.Parsed k = NativeKallsyms.read(kallsyms);
        byte[] text = k.text();
        // name refs: offset of the name; it ends at a tab, newline or end of text
        SymbolTable.Names names = ref -> token(text, ref);
        return new KernelSymbols(table(k.functions(), names), table(k.modules(), names), table(k.data(), names));
    }

    private static SymbolTable table(NativeKallsyms.Table t, SymbolTable.Names names) {
        return SymbolTable.ofSorted(t.addrs(), t.names(), names);
    }

    private static String token(byte[] text, int at) {
        int end = at;
        while (end < text.length && text[end] != '\t' && text[end] != '\n') end++;
        return new String(text, at, end - at, StandardCharsets.UTF_8).trim();
    }

    public boolean isEmpty() { return table.size() == 0; }

    public SymbolTable.Hit lookup(long addr) {
        return table.lookup(addr);
    }

    /**
     * The static object a kernel data address lies in ("jiffies_lock+0x8"
     * as name and offset), or null: locks inside allocated objects (slab,
     * the direct map) have no symbol.
     */
    public SymbolTable.Hit lookupData(long addr) {
        if (Long.compareUnsigned(addr, KERNEL_IMAGE_START) < 0) return null;
        SymbolTable.Hit hit = data.lookup(addr);
        return hit != null && hit.offset() < MAX_DATA_OFFSET ? hit : null;
    }

    /** "[kernel.kallsyms]" or the module ("[ext4]") that holds addr. */
    public String moduleOf(long addr, SymbolTable.Hit hit) {
        SymbolTable.Hit m = moduleOf.lookup(addr);
        // module symbols sit above the core kernel's; a module hit is only
        // right when no core symbol lies between it and addr
        if (m != null && hit != null && m.offset() <= hit.offset()) return m.name();
        return KERNEL_MODULE;
    }
}
