package dev.profiler.recorder.symbols;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kernel text symbols from /proc/kallsyms (root sees real addresses).
 * Module symbols carry their module name ("[ext4]"); the core kernel is
 * "[kernel.kallsyms]", as perf names it.
 */
public final class KernelSymbols {
    public static final String KERNEL_MODULE = "[kernel.kallsyms]";

    private final SymbolTable table;
    private final SymbolTable moduleOf;

    private KernelSymbols(SymbolTable table, SymbolTable moduleOf) {
        this.table = table;
        this.moduleOf = moduleOf;
    }

    public static KernelSymbols load(Path kallsyms) throws IOException {
        SymbolTable.Builder b = new SymbolTable.Builder();
        SymbolTable.Builder mods = new SymbolTable.Builder();
        try (BufferedReader r = Files.newBufferedReader(kallsyms)) {
            String line;
            while ((line = r.readLine()) != null) {
                // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t foo\t[ext4]"
                int s1 = line.indexOf(' ');
                if (s1 < 0 || s1 + 3 > line.length()) continue;
                char type = Character.toLowerCase(line.charAt(s1 + 1));
                if (type != 't' && type != 'w') continue;
                long addr = Long.parseUnsignedLong(line, 0, s1, 16);
                if (addr == 0) continue; // hidden by kptr_restrict
                String rest = line.substring(s1 + 3);
                int tab = rest.indexOf('\t');
                String name = tab < 0 ? rest : rest.substring(0, tab);
                b.add(addr, 0, name);
                if (tab >= 0) mods.add(addr, 0, rest.substring(tab + 1).trim());
            }
        }
        return new KernelSymbols(b.build(), mods.build());
    }

    public boolean isEmpty() { return table.size() == 0; }

    public SymbolTable.Hit lookup(long addr) {
        return table.lookup(addr);
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
