package dev.profiler.recorder.unwind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A 64-bit little-endian ELF file's section headers, looked up by name: where
 * a section's bytes are in the file and at which virtual address it is
 * loaded. The file is memory-mapped once; every read is bounds-checked, so a
 * damaged file gives an IOException, never a crash (a root process reads
 * files any user can write).
 */
public final class ElfSections {
    /** A section: file bytes [offset, offset + size), loaded at addr; compressed: SHF_COMPRESSED (a header, then zlib or zstd). */
    public record Section(String name, long offset, long addr, long size, boolean compressed) {}

    /** The most a compressed section may inflate to: more is a damaged or hostile file. */
    static final long MAX_INFLATED = 256L << 20;

    private final ByteBuffer file;
    private final Path path;

    private ElfSections(ByteBuffer file, Path path) {
        this.file = file;
        this.path = path;
    }

    public static ElfSections open(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 64) throw new IOException("not an ELF file: " + path);
            if (size > Integer.MAX_VALUE) throw new IOException("ELF file over 2 GiB, not read: " + path);
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) != 0x464c457f || b.get(4) != 2 || b.get(5) != 1)
                throw new IOException("not a 64-bit little-endian ELF file: " + path);
            return new ElfSections(b, path);
        }
    }

    /** Drops the pages read so far from the resident set (MappedPages); reading again faults them back in. */
    public void releasePages() { MappedPages.release(file); }

    /** The whole file, little-endian, read-only. */
    public ByteBuffer bytes() { return file.duplicate().order(ByteOrder.LITTLE_ENDIAN); }

    public Path path() { return path; }

    /** The section of that name, or null if the file has none. */
    public Section find(String name) throws IOException {
        try {
            long shoff = file.getLong(0x28);
            int shentsize = Short.toUnsignedInt(file.getShort(0x3a)), shnum = Short.toUnsignedInt(file.getShort(0x3c));
            int shstrndx = Short.toUnsignedInt(file.getShort(0x3e));
            if (shoff <= 0 || shentsize < 64 || shstrndx >= shnum) return null;
            long names = file.getLong(at(shoff + (long) shstrndx * shentsize + 0x18));
            for (int i = 0; i < shnum; i++) {
                int s = at(shoff + (long) i * shentsize);
                if (!nameIs(at(names + Integer.toUnsignedLong(file.getInt(s))), name)) continue;
                long offset = file.getLong(s + 0x18), size = file.getLong(s + 0x20);
                if (file.getInt(s + 4) == 8 /* SHT_NOBITS */) return null;
                if (offset < 0 || size < 0 || offset + size > file.limit())
                    throw new IOException("section " + name + " lies outside the file: " + path);
                boolean compressed = (file.getLong(s + 0x08) & 0x800) != 0; // SHF_COMPRESSED
                return new Section(name, offset, file.getLong(s + 0x10), size, compressed);
            }
            return null;
        } catch (IndexOutOfBoundsException e) {
            throw new IOException("truncated or corrupt ELF section headers: " + path);
        }
    }

    /**
     * A section's bytes on their own, from offset 0: the file's bytes, or, for a
     * compressed section (debug sections, `--compress-debug-sections`), the
     * zlib stream inflated. zstd-compressed sections are refused.
     */
    public ByteBuffer contents(Section s) throws IOException {
        if (!s.compressed()) return file.slice((int) s.offset(), (int) s.size()).order(ByteOrder.LITTLE_ENDIAN);
        // Elf64_Chdr: ch_type, ch_reserved, ch_size, ch_addralign
        if (s.size() < 24) throw new IOException("compressed section " + s.name() + " too short: " + path);
        int type = file.getInt((int) s.offset());
        long inflatedSize = file.getLong((int) s.offset() + 8);
        if (type != 1 /* ELFCOMPRESS_ZLIB */)
            throw new IOException(s.name() + " is compressed in a way not read here (type " + type + "): " + path);
        if (inflatedSize < 0 || inflatedSize > MAX_INFLATED)
            throw new IOException(s.name() + " would inflate to " + inflatedSize + " bytes: " + path);
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(file.slice((int) s.offset() + 24, (int) s.size() - 24));
            ByteBuffer out = ByteBuffer.allocate((int) inflatedSize);
            while (out.hasRemaining() && !inflater.finished()) {
                if (inflater.inflate(out) == 0 && (inflater.needsInput() || inflater.needsDictionary()))
                    throw new IOException(s.name() + ": zlib stream ends early: " + path);
            }
            if (out.hasRemaining()) throw new IOException(s.name() + ": inflates to less than its header says: " + path);
            return out.flip().order(ByteOrder.LITTLE_ENDIAN);
        } catch (DataFormatException e) {
            throw new IOException(s.name() + ": damaged zlib stream: " + path);
        } finally {
            inflater.end();
        }
    }

    private int at(long offset) {
        if (offset < 0 || offset >= file.limit()) throw new IndexOutOfBoundsException((int) Math.min(offset, Integer.MAX_VALUE));
        return (int) offset;
    }

    private boolean nameIs(int at, String name) {
        for (int i = 0; i < name.length(); i++)
            if (file.get(at + i) != name.charAt(i)) return false;
        return file.get(at + name.length()) == 0;
    }
}
