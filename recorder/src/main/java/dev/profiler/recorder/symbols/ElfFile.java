package dev.profiler.recorder.symbols;

import dev.profiler.recorder.unwind.ElfSections;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The parts of a 64-bit little-endian ELF file a profiler needs: function
 * and data-object symbols (.symtab and .dynsym), the GNU build id, and the
 * PT_LOAD segments that turn a file offset into a symbol address.
 *
 * Written by hand (about 150 lines over a memory-mapped file) because the
 * one Java ELF library on Maven Central (jelf) has been unmaintained for
 * years; we need only these four tables, read lazily, and never the rest.
 * Not thread-safe: the symbol tables are built on the first lookup.
 */
public final class ElfFile {
    private static final int SHT_SYMTAB = 2, SHT_NOTE = 7, SHT_DYNSYM = 11;
    private static final int PT_LOAD = 1, PT_NOTE = 4;
    private static final int STT_OBJECT = 1, STT_FUNC = 2, STT_GNU_IFUNC = 10;
    private static final int NT_GNU_BUILD_ID = 3;

    /**
     * A loadable segment: file [offset, offset+fileSize) is mapped at vaddr,
     * and memSize bytes from vaddr are loaded (past fileSize: .bss, zeroed).
     */
    public record Segment(long offset, long vaddr, long fileSize, long memSize, boolean executable) {}

    private final String buildId;
    private final List<Segment> segments;
    private final boolean hasSymtab;
    /** Where .symtab and .dynsym lie; read into tables on the first lookup. */
    private final List<SymbolSection> symbolSections;
    private final ElfSections file;
    private SymbolTable symbols;
    private SymbolTable dataSymbols;

    /** A symbol table section and its string table, as file offsets and sizes. */
    private record SymbolSection(long offset, long size, long entrySize, long stringsOffset, long stringsSize) {}

    private ElfFile(String buildId, List<Segment> segments, boolean hasSymtab, List<SymbolSection> symbolSections,
                    ElfSections file) {
        this.buildId = buildId;
        this.segments = segments;
        this.hasSymtab = hasSymtab;
        this.symbolSections = symbolSections;
        this.file = file;
    }

    /**
     * Parses the headers (segments, build id, where the symbols are); throws
     * IOException if it is not a 64-bit LE ELF file. The symbol tables are
     * built on the first lookup: the recorder reads every mapped file's
     * build id, and a sample lands in far fewer of them (in a 20 s
     * recording of `true`, building tables nobody looked up was 12% of the
     * recorder's start-up).
     */
    public static ElfFile read(Path path) throws IOException {
        ElfSections file = ElfSections.open(path);
        ElfFile elf = parse(file, path);
        file.releasePages(); // the headers are read; the tables fault their pages in when built
        return elf;
    }

    private static ElfFile parse(ElfSections file, Path path) throws IOException {
        ByteBuffer b = file.bytes();
        try {
            long phoff = b.getLong(0x20), shoff = b.getLong(0x28);
            int phentsize = Short.toUnsignedInt(b.getShort(0x36)), phnum = Short.toUnsignedInt(b.getShort(0x38));
            int shentsize = Short.toUnsignedInt(b.getShort(0x3a)), shnum = Short.toUnsignedInt(b.getShort(0x3c));

            List<Segment> segs = new ArrayList<>();
            String buildId = null;
            for (int i = 0; i < phnum; i++) {
                int p = (int) (phoff + (long) i * phentsize);
                int type = b.getInt(p);
                if (type == PT_LOAD)
                    segs.add(new Segment(b.getLong(p + 8), b.getLong(p + 16), b.getLong(p + 32), b.getLong(p + 40),
                        (b.getInt(p + 4) & 1) != 0));
                else if (type == PT_NOTE && buildId == null)
                    buildId = findBuildId(b, b.getLong(p + 8), b.getLong(p + 32));
            }
            List<SymbolSection> symbolSections = new ArrayList<>();
            boolean hasSymtab = false;
            for (int i = 0; i < shnum; i++) {
                int s = (int) (shoff + (long) i * shentsize);
                int type = b.getInt(s + 4);
                if (type == SHT_NOTE && buildId == null)
                    buildId = findBuildId(b, b.getLong(s + 0x18), b.getLong(s + 0x20));
                if (type != SHT_SYMTAB && type != SHT_DYNSYM) continue;
                hasSymtab |= type == SHT_SYMTAB;
                int link = b.getInt(s + 0x28);
                int strSec = (int) (shoff + (long) link * shentsize);
                symbolSections.add(new SymbolSection(b.getLong(s + 0x18), b.getLong(s + 0x20), b.getLong(s + 0x38),
                    b.getLong(strSec + 0x18), b.getLong(strSec + 0x20)));
            }
            return new ElfFile(buildId, List.copyOf(segs), hasSymtab, List.copyOf(symbolSections), file);
        } catch (IndexOutOfBoundsException e) {
            throw new IOException("truncated or corrupt ELF file: " + path);
        }
    }

    /** Builds both symbol tables in one pass over the symbol sections; empty where they are damaged. */
    private void buildSymbolTables() {
        ByteBuffer b = file.bytes();
        SymbolTable.Builder syms = new SymbolTable.Builder(ref -> cString(b, ref)); // names decoded on a hit
        SymbolTable.Builder data = new SymbolTable.Builder(ref -> cString(b, ref));
        try {
            for (SymbolSection s : symbolSections)
                readSymbols(b, s.offset(), s.size(), s.entrySize(), s.stringsOffset(), s.stringsSize(), syms, data);
            symbols = syms.build();
            dataSymbols = data.build();
        } catch (IndexOutOfBoundsException e) { // a section past the end of a truncated file
            symbols = SymbolTable.EMPTY;
            dataSymbols = SymbolTable.EMPTY;
        }
        file.releasePages(); // names are read again only on a hit
    }

    private static void readSymbols(ByteBuffer b, long off, long size, long entsize, long strOff, long strSize,
                                    SymbolTable.Builder functions, SymbolTable.Builder data) {
        if (entsize < 24) return;
        for (long p = off; p + 24 <= off + size; p += entsize) {
            int ip = (int) p;
            int type = b.get(ip + 4) & 0xf;
            boolean function = type == STT_FUNC || type == STT_GNU_IFUNC;
            // data objects with a size: a lock is named only by the object it lies in, never by the next one's
            if (!function && !(type == STT_OBJECT && b.getLong(ip + 16) > 0)) continue;
            long value = b.getLong(ip + 8);
            if (value == 0) continue; // undefined (imported) symbol
            int nameOff = b.getInt(ip);
            if (nameOff <= 0 || nameOff >= strSize) continue;
            (function ? functions : data).add(value, b.getLong(ip + 16), (int) (strOff + nameOff));
        }
    }

    /**
     * A data object's symbol: its address in the file's own terms (ELF
     * vaddr), its size in bytes, and the vaddr that file offset 0 is loaded
     * at (the first PT_LOAD segment's), which with the address of the
     * process's mapping at offset 0 gives the load bias.
     */
    public record DataObject(long vaddr, long size, long offsetZeroVaddr) {}

    /**
     * The data object (STT_OBJECT) named exactly name in .symtab or .dynsym,
     * or null if there is none. Compares the string table's bytes in place:
     * libjvm's .symtab has ~100k symbols, and one is wanted.
     */
    public static DataObject findObject(Path path, String name) throws IOException {
        ByteBuffer b = ElfSections.open(path).bytes();
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        try {
            long phoff = b.getLong(0x20), shoff = b.getLong(0x28);
            int phentsize = Short.toUnsignedInt(b.getShort(0x36)), phnum = Short.toUnsignedInt(b.getShort(0x38));
            int shentsize = Short.toUnsignedInt(b.getShort(0x3a)), shnum = Short.toUnsignedInt(b.getShort(0x3c));
            Long offsetZeroVaddr = null;
            for (int i = 0; i < phnum && offsetZeroVaddr == null; i++) {
                int p = (int) (phoff + (long) i * phentsize);
                if (b.getInt(p) == PT_LOAD) offsetZeroVaddr = b.getLong(p + 16) - b.getLong(p + 8);
            }
            if (offsetZeroVaddr == null) return null; // nothing of it is loaded
            for (int i = 0; i < shnum; i++) {
                int s = (int) (shoff + (long) i * shentsize);
                int type = b.getInt(s + 4);
                if (type != SHT_SYMTAB && type != SHT_DYNSYM) continue;
                long off = b.getLong(s + 0x18), size = b.getLong(s + 0x20), entsize = b.getLong(s + 0x38);
                if (entsize < 24) continue;
                int strSec = (int) (shoff + (long) b.getInt(s + 0x28) * shentsize);
                long strOff = b.getLong(strSec + 0x18), strSize = b.getLong(strSec + 0x20);
                for (long p = off; p + 24 <= off + size; p += entsize) {
                    int ip = (int) p;
                    if ((b.get(ip + 4) & 0xf) != STT_OBJECT || b.getLong(ip + 8) == 0) continue;
                    long nameOff = Integer.toUnsignedLong(b.getInt(ip));
                    if (nameOff == 0 || nameOff + wanted.length >= strSize) continue;
                    if (namedAt(b, (int) (strOff + nameOff), wanted))
                        return new DataObject(b.getLong(ip + 8), b.getLong(ip + 16), offsetZeroVaddr);
                }
            }
            return null;
        } catch (IndexOutOfBoundsException e) {
            throw new IOException("truncated or corrupt ELF file: " + path);
        }
    }

    private static boolean namedAt(ByteBuffer b, int at, byte[] wanted) {
        for (int i = 0; i < wanted.length; i++)
            if (b.get(at + i) != wanted[i]) return false;
        return b.get(at + wanted.length) == 0;
    }

    private static String findBuildId(ByteBuffer b, long off, long size) {
        long p = off, end = off + size;
        while (p + 12 <= end) {
            int namesz = b.getInt((int) p), descsz = b.getInt((int) p + 4), type = b.getInt((int) p + 8);
            long name = p + 12, desc = name + align4(namesz);
            if (type == NT_GNU_BUILD_ID && namesz == 4 && b.getInt((int) name) == 0x00554e47 /* "GNU\0" */) {
                byte[] id = new byte[descsz];
                b.get((int) desc, id);
                return HexFormat.of().formatHex(id);
            }
            p = desc + align4(descsz);
        }
        return null;
    }

    /** The GNU build id in a raw notes blob (such as /sys/kernel/notes), or null. */
    public static String buildIdFromNotes(byte[] notes) {
        try {
            return findBuildId(ByteBuffer.wrap(notes).order(ByteOrder.LITTLE_ENDIAN), 0, notes.length);
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    private static String cString(ByteBuffer b, int at) {
        int n = 0;
        while (b.get(at + n) != 0) n++;
        byte[] bytes = new byte[n];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public String buildId() { return buildId; }

    /** PT_LOAD segments, in file order. */
    public List<Segment> segments() { return segments; }

    /** True when the file has a full .symtab (not stripped). */
    public boolean hasSymtab() { return hasSymtab; }

    /** Functions (STT_FUNC, STT_GNU_IFUNC) from .symtab and .dynsym; built on the first call. */
    public SymbolTable symbols() {
        if (symbols == null) buildSymbolTables();
        return symbols;
    }

    /** Data objects (STT_OBJECT with a size): static variables, locks among them; built on the first call. */
    public SymbolTable dataSymbols() {
        if (dataSymbols == null) buildSymbolTables();
        return dataSymbols;
    }

    /** True when some PT_LOAD segment loads vaddr (data and .bss included). */
    public boolean loads(long vaddr) {
        for (Segment s : segments)
            if (Long.compareUnsigned(vaddr - s.vaddr(), s.memSize()) < 0) return true;
        return false;
    }

    /** The symbol address (ELF vaddr) of a file offset, or -1 if no PT_LOAD maps it. */
    public long fileOffsetToVaddr(long fileOffset) {
        for (Segment s : segments)
            if (fileOffset >= s.offset() && fileOffset < s.offset() + s.fileSize())
                return fileOffset - s.offset() + s.vaddr();
        return -1;
    }
}
