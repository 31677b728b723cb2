package dev.profiler.recorder.symbols;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads a binary built here and checks symbols and build id against binutils' view of it. */
class ElfFileTest {
    @TempDir static Path tmp;
    static Path binary;
    static Map<String, Long> nm = new HashMap<>();

    @BeforeAll
    static void build() throws Exception {
        Path src = Files.writeString(tmp.resolve("t.cc"), """
            namespace demo { struct Widget { __attribute__((noinline)) int spin(int n); }; }
            int demo::Widget::spin(int n) { int s = 0; for (int i = 0; i < n; i++) s += i; return s; }
            extern "C" __attribute__((noinline)) int known_function(int x) { return x * 3 + 1; }
            static long work_lock[5] = {1};  // .data: a static lock-sized object
            long counters[8];                // .bss
            extern "C" long touch(int i) { return work_lock[i % 5] + counters[i % 8]++; }
            int main(int c, char**) { demo::Widget w; return w.spin(c) + known_function(c); }
            """);
        binary = tmp.resolve("t");
        Process p = new ProcessBuilder("g++", "-O1", "-Wl,--build-id", "-o", binary.toString(), src.toString())
            .inheritIO().start();
        assertEquals(0, p.waitFor());
        Process n = new ProcessBuilder("nm", "--defined-only", binary.toString()).start();
        for (String line : new String(n.getInputStream().readAllBytes()).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) nm.put(f[2], Long.parseUnsignedLong(f[0], 16));
        }
        assertEquals(0, n.waitFor());
    }

    @Test
    void findsFunctionsAtTheAddressesNmGives() throws Exception {
        ElfFile elf = ElfFile.read(binary);
        long addr = nm.get("known_function");
        assertEquals("known_function", elf.symbols().lookup(addr).name());
        assertEquals(2, elf.symbols().lookup(addr + 2).offset());
        assertEquals("_ZN4demo6Widget4spinEi", elf.symbols().lookup(nm.get("_ZN4demo6Widget4spinEi")).name());
        assertTrue(elf.hasSymtab());
    }

    @Test
    void findsDataObjectsInDataAndBssButNotPastThem() throws Exception {
        ElfFile elf = ElfFile.read(binary);
        long lock = nm.get("_ZL9work_lock"), counters = nm.get("counters");
        assertEquals("_ZL9work_lock", elf.dataSymbols().lookup(lock).name());
        assertEquals(16, elf.dataSymbols().lookup(lock + 16).offset(), "inside the object: name + offset");
        assertEquals("counters", elf.dataSymbols().lookup(counters + 8).name());
        assertTrue(elf.loads(counters + 63), ".bss is loaded though not in the file");
        SymbolTable.Hit past = elf.dataSymbols().lookup(counters + 64);
        assertTrue(past == null || !past.name().equals("counters"), "no object holds the byte past its end: " + past);
        assertNull(elf.dataSymbols().lookup(nm.get("known_function")), "code is not data");
    }

    @Test
    void findsADataObjectByItsExactName() throws Exception {
        ElfFile.DataObject lock = ElfFile.findObject(binary, "_ZL9work_lock");
        assertEquals(nm.get("_ZL9work_lock"), lock.vaddr());
        assertEquals(40, lock.size());
        assertEquals(0, lock.offsetZeroVaddr(), "a PIE's first segment loads file offset 0 at vaddr 0");
        assertEquals(nm.get("counters"), ElfFile.findObject(binary, "counters").vaddr(), ".bss too");
        assertNull(ElfFile.findObject(binary, "counter"), "a prefix of a name is not the name");
        assertNull(ElfFile.findObject(binary, "known_function"), "a function is not a data object");
    }

    @Test
    void buildIdMatchesReadelf() throws Exception {
        Process r = new ProcessBuilder("readelf", "-n", binary.toString()).start();
        String out = new String(r.getInputStream().readAllBytes());
        r.waitFor();
        String expected = out.lines().filter(l -> l.contains("Build ID:")).findFirst().orElseThrow()
            .replaceAll(".*Build ID:\\s*", "").trim();
        assertEquals(expected, ElfFile.read(binary).buildId());
    }

    @Test
    void fileOffsetMapsBackToTheSymbolAddress() throws Exception {
        ElfFile elf = ElfFile.read(binary);
        long vaddr = nm.get("main");
        // PIE text: the first executable PT_LOAD maps file offset == vaddr for GNU ld's default layout,
        // so find the offset by inverting through the segments and check the round trip.
        long found = -1;
        for (long off = 0; off < Files.size(binary); off++) {
            if (elf.fileOffsetToVaddr(off) == vaddr) {
                found = off;
                break;
            }
        }
        assertTrue(found >= 0, "main's address is mapped by a PT_LOAD segment");
        assertEquals("main", elf.symbols().lookup(elf.fileOffsetToVaddr(found)).name());
    }

    @Test
    void demanglesItaniumNamesAndLeavesCNamesAlone() {
        assertTrue(Demangler.available(), "libstdc++ present on this machine");
        assertEquals("demo::Widget::spin(int)", Demangler.demangle("_ZN4demo6Widget4spinEi"));
        assertEquals("known_function", Demangler.demangle("known_function"));
        assertEquals("work_lock", Demangler.demangle("_ZL9work_lock"), "a C++ static lock, as the locks report names it");
        assertEquals("_Znot_valid", Demangler.demangle("_Znot_valid"));
    }

    /**
     * The symbol tables are read on the first lookup, not with the headers:
     * a file whose symbols lie past its end still gives its build id and
     * segments (the recorder reads every mapped file's build id), and
     * lookups in it find nothing rather than failing.
     */
    @Test
    void symbolsPastTheEndOfTheFileLeaveTheBuildIdReadable() throws Exception {
        Path damaged = tmp.resolve("symbols-past-the-end");
        byte[] bytes = Files.readAllBytes(binary);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a)), shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int moved = 0;
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            int type = b.getInt(sh + 4);
            if (type == 2 || type == 11) { // SHT_SYMTAB, SHT_DYNSYM: their entries now lie past the end
                b.putLong(sh + 0x18, bytes.length + 4096L);
                moved++;
            }
        }
        assertEquals(2, moved, ".symtab and .dynsym");
        Files.write(damaged, bytes);

        ElfFile elf = ElfFile.read(damaged);
        assertEquals(ElfFile.read(binary).buildId(), elf.buildId());
        assertEquals(ElfFile.read(binary).segments(), elf.segments());
        assertNull(elf.symbols().lookup(nm.get("known_function")));
        assertEquals(0, elf.dataSymbols().size());
    }

    @Test
    void notElfIsAnIOException() throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk"), "x".repeat(100));
        assertThrows(java.io.IOException.class, () -> ElfFile.read(junk));
    }
}
