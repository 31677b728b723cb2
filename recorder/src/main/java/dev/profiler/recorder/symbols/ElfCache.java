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
    /** What the cache knows of one file; elf null when it is unreadable or not ELF. */
    public record Entry(ElfFile elf, SymbolTable symbols, SymbolTable dataSymbols) {}

    private static final Entry MISSING = new Entry(null, SymbolTable.EMPTY, SymbolTable.EMPTY);
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
            return MISSING;
        }
        return byFile.computeIfAbsent(key, k -> load(file));
    }

    private Entry load(Path file) {
        try {
            ElfFile elf = ElfFile.read(file);
            SymbolTable symbols = elf.symbols(), data = elf.dataSymbols();
            if (!elf.hasSymtab() && elf.buildId() != null && elf.buildId().length() > 2) {
                Path debug = debugRoot.resolve(elf.buildId().substring(0, 2))
                    .resolve(elf.buildId().substring(2) + ".debug");
                if (Files.isRegularFile(debug)) {
                    try {
                        ElfFile d = ElfFile.read(debug);
                        if (d.symbols().size() > symbols.size()) symbols = d.symbols();
                        if (d.dataSymbols().size() > data.size()) data = d.dataSymbols();
                    } catch (IOException ignored) {
                        // a broken debug file: the file's own .dynsym still serves
                    }
                }
            }
            return new Entry(elf, symbols, data);
        } catch (IOException | RuntimeException e) {
            return MISSING;
        }
    }
}
