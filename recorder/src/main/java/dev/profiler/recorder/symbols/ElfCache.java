package dev.profiler.recorder.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Parsed ELF files, one per file on disk (keyed by device and inode, so the
 * same library seen through different /proc/PID/root paths is read once).
 * Where a file is stripped, its symbols come from the debug file named by
 * its build id under /usr/lib/debug/.build-id, when installed.
 */
public final class ElfCache {
    /**
     * What the cache knows of one file; elf null when it is unreadable or
     * not ELF. The symbol tables (the file's, or its debug file's) are
     * built on the first lookup: most files are read for their build id
     * only.
     */
    public final class Entry {
        private final ElfFile elf;
        private SymbolTable symbols;
        private SymbolTable dataSymbols;

        private Entry(ElfFile elf) {
            this.elf = elf;
        }

        public ElfFile elf() { return elf; }

        public SymbolTable symbols() {
            if (symbols == null) findSymbols();
            return symbols;
        }

        public SymbolTable dataSymbols() {
            if (dataSymbols == null) findSymbols();
            return dataSymbols;
        }

        /** The file's own tables, or, for a stripped file, its debug file's where that has more. */
        private void findSymbols() {
            if (elf == null) {
                symbols = dataSymbols = SymbolTable.EMPTY;
                return;
            }
            SymbolTable syms = elf.symbols(), data = elf.dataSymbols();
            if (!elf.hasSymtab() && elf.buildId() != null && elf.buildId().length() > 2) {
                Path debug = debugRoot.resolve(elf.buildId().substring(0, 2))
                    .resolve(elf.buildId().substring(2) + ".debug");
                if (Files.isRegularFile(debug)) {
                    try {
                        ElfFile d = ElfFile.read(debug);
                        if (d.symbols().size() > syms.size()) syms = d.symbols();
                        if (d.dataSymbols().size() > data.size()) data = d.dataSymbols();
                    } catch (IOException ignored) {
                        // a broken debug file: the file's own .dynsym still serves
                    }
                }
            }
            symbols = syms;
            dataSymbols = data;
        }
    }

    private final Entry missing = new Entry(null);
    private final Map<Object, Entry> byFile = new HashMap<>();
    private final Path debugRoot;

    public ElfCache(Path debugRoot) {
        this.debugRoot = debugRoot;
    }

    public Entry get(Path file) {
        Object key;
        try {
            key = Files.getAttribute(file, "unix:dev") + ":" + Files.getAttribute(file, "unix:ino");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return missing;
        }
        return byFile.computeIfAbsent(key, k -> load(file));
    }

    private Entry load(Path file) {
        try {
            return new Entry(ElfFile.read(file));
        } catch (IOException | RuntimeException e) {
            return missing;
        }
    }
}
