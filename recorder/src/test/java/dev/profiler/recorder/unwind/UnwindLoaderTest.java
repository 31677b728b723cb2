package dev.profiler.recorder.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profiler.recorder.symbols.ElfCache;
import dev.profiler.recorder.symbols.ElfFile;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's tables, read back the way the BPF walker reads them
 * (MemoryUnwindMaps.ruleAt), give at every pc of a mapped libc the rule the
 * reduced table gives; tables no process maps make room for new ones.
 */
class UnwindLoaderTest {
    @TempDir Path tmp;

    private Symbolizer symbolizer() throws Exception {
        Files.writeString(tmp.resolve("kallsyms"), "ffffffff81000000 T _stext\n");
        return new Symbolizer(KernelSymbols.load(tmp.resolve("kallsyms")), null, new ElfCache(tmp.resolve("none")),
            tmp.resolve("no-proc"));
    }

    /** A process mapping lib's code at base (file offset = vaddr, as Debian's libraries are linked). */
    private static ProcessMaps mapping(Path lib, long base) throws Exception {
        ElfFile elf = ElfFile.read(lib);
        List<ProcessMaps.Mapping> m = elf.segments().stream().filter(ElfFile.Segment::executable)
            .map(s -> new ProcessMaps.Mapping(base + (s.vaddr() & ~0xfffL), base + s.vaddr() + s.memSize(),
                s.offset() & ~0xfffL, lib.toString(), true))
            .toList();
        return ProcessMaps.of(m);
    }

    @Test
    void theWalkersLookupFindsTheReducedTablesRuleAtEveryPc() throws Exception {
        MemoryUnwindMaps maps = new MemoryUnwindMaps(1 << 20, 4096, 65536);
        UnwindLoader loader = new UnwindLoader(maps, symbolizer());
        long base = 0x7f1234000000L;
        loader.processMapped(42, mapping(EhFrameTest.LIBC, base));
        UnwindTable table = UnwindTable.of(EhFrame.read(ElfSections.open(EhFrameTest.LIBC)));
        Random random = new Random(7);
        int checked = 0;
        List<UnwindTable.Row> rows = table.rows();
        for (int i = 0; i + 1 < rows.size(); i++) {
            long from = rows.get(i).pc(), to = rows.get(i + 1).pc();
            for (long vaddr : new long[] {from, to - 1, from + (long) (random.nextDouble() * (to - from))}) {
                UnwindTable.Row want = table.find(vaddr);
                int[] got = maps.ruleAt(42, base + vaddr);
                if (want.cfa() == UnwindTable.NONE) {
                    assertNull(got, "NONE at " + Long.toHexString(vaddr));
                } else {
                    assertNotNull(got, "a rule at " + Long.toHexString(vaddr) + ": " + want);
                    assertEquals(List.of((int) want.cfa(), want.cfaOffset(), (int) want.rbp(), want.rbpOffset()),
                        List.of(got[0], got[1], got[2], got[3]), "at " + Long.toHexString(vaddr));
                }
                checked++;
            }
        }
        assertTrue(checked > 60_000, checked + " pcs");
        UnwindLoader.Stats s = loader.stats();
        assertEquals(1, s.tables());
        // 4-byte rows, one more per 64 KiB page at most: libc's table stays under 150 KB
        assertTrue(s.rows() * 4 < 150_000, s.rows() + " rows");
    }

    /** A pc of lib (a file address) where its table has an rsp-based rule. */
    private static long someRspRow(Path lib) throws Exception {
        return UnwindTable.of(EhFrame.read(ElfSections.open(lib))).rows().stream()
            .filter(r -> r.cfa() == UnwindTable.CFA_RSP).skip(1000).findFirst().orElseThrow().pc();
    }

    @Test
    void tablesNoProcessMapsMakeRoomAndDamagedFilesGetNone() throws Exception {
        int libcRows = UnwindTable.of(EhFrame.read(ElfSections.open(EhFrameTest.LIBC))).rows().size();
        MemoryUnwindMaps maps = new MemoryUnwindMaps(libcRows + libcRows / 2, 4096, 65536);
        UnwindLoader loader = new UnwindLoader(maps, symbolizer());
        long libcBase = 0x7f0000000000L, cxxBase = 0x7e0000000000L;
        long cxxPc = cxxBase + someRspRow(EhFrameTest.LIBSTDCXX);
        loader.processMapped(1, mapping(EhFrameTest.LIBC, libcBase));
        assertNotNull(maps.ruleAt(1, libcBase + someRspRow(EhFrameTest.LIBC)));
        // no room for libstdc++ while libc's process runs: no table, counted
        loader.processMapped(2, mapping(EhFrameTest.LIBSTDCXX, cxxBase));
        assertNull(maps.ruleAt(2, cxxPc));
        assertEquals(1, loader.stats().filesWithoutTable(), loader.stats().noTable().toString());
        // libc's process is gone: its table makes room at the next read of libstdc++'s process
        loader.processGone(1);
        loader.processMapped(2, mapping(EhFrameTest.LIBSTDCXX, cxxBase));
        assertNotNull(maps.ruleAt(2, cxxPc), loader.stats().toString());
        assertEquals(1, loader.stats().evictions());
        assertEquals(0, loader.stats().filesWithoutTable(), loader.stats().noTable().toString());
        // a damaged .eh_frame: no table, nothing evicted, the file is counted
        byte[] damaged = Files.readAllBytes(EhFrameTest.LIBC);
        ElfSections.Section eh = ElfSections.open(EhFrameTest.LIBC).find(".eh_frame");
        for (int i = 0; i < 64; i++) damaged[(int) eh.offset() + 4 + i] = (byte) 0xff;
        // and no build id, so it is not taken for libc
        ElfSections.Section note = ElfSections.open(EhFrameTest.LIBC).find(".note.gnu.build-id");
        for (int i = 16; i < note.size(); i++) damaged[(int) note.offset() + i] ^= 0x55;
        Path copy = tmp.resolve("libdamaged.so");
        Files.write(copy, damaged);
        loader.processMapped(3, mapping(copy, libcBase));
        assertNull(maps.ruleAt(3, libcBase + someRspRow(EhFrameTest.LIBC)));
        assertEquals(1, loader.stats().evictions());
        assertEquals(1, loader.stats().filesWithoutTable(), loader.stats().noTable().toString());
    }

    /**
     * A file read through /proc/PID/root of a process that exited meanwhile
     * (a build's short-lived mkdir): no table, but not counted as a file
     * without one either; the next process that maps it gets its table (seen
     * on a real recording: libacl never got one after its first process exited).
     */
    @Test
    void aFileGoneWithItsProcessIsTriedAgainLater() throws Exception {
        MemoryUnwindMaps maps = new MemoryUnwindMaps(1 << 20, 4096, 65536);
        Symbolizer symbolizer = symbolizer();
        UnwindLoader loader = new UnwindLoader(maps, symbolizer);
        Path lib = tmp.resolve("libgone.so");
        Files.copy(EhFrameTest.LIBSTDCXX, lib);
        long base = 0x7f0000000000L, pc = base + someRspRow(EhFrameTest.LIBSTDCXX);
        ProcessMaps mapped = mapping(lib, base);
        assertNotNull(symbolizer.mappedFile(5, lib.toString()), "its ELF read while the process lived");
        Files.delete(lib);
        loader.processMapped(5, mapped);
        assertNull(maps.ruleAt(5, pc));
        assertEquals(0, loader.stats().filesWithoutTable(), loader.stats().noTable().toString());
        Files.copy(EhFrameTest.LIBSTDCXX, lib);
        loader.processMapped(6, mapping(lib, base));
        assertNotNull(maps.ruleAt(6, pc), "the next process that maps it gets its table");
    }

    /** Every pc where the reduced table changes rule, as the walker finds it in pid's mapping at base. */
    private static int assertWalkerFindsTheTable(MemoryUnwindMaps maps, int pid, long base, UnwindTable table) {
        int checked = 0;
        for (UnwindTable.Row want : table.rows()) {
            int[] got = maps.ruleAt(pid, base + want.pc());
            if (want.cfa() == UnwindTable.NONE) assertNull(got, "NONE at " + Long.toHexString(want.pc()));
            else assertEquals(List.of((int) want.cfa(), want.cfaOffset(), (int) want.rbp(), want.rbpOffset()),
                got == null ? null : List.of(got[0], got[1], got[2], got[3]), "at " + Long.toHexString(want.pc()));
            checked++;
        }
        return checked;
    }

    @Test
    void aTableKeptOnDiskLoadsTheSameRowsAndADamagedOneIsRebuilt() throws Exception {
        Path dir = tmp.resolve("cache");
        UnwindTable table = UnwindTable.of(EhFrame.read(ElfSections.open(EhFrameTest.LIBC)));
        long base = 0x7f5500000000L;
        UnwindLoader first = new UnwindLoader(new MemoryUnwindMaps(1 << 20, 4096, 65536), symbolizer(), new TableCache(dir, 1 << 30));
        first.processMapped(7, mapping(EhFrameTest.LIBC, base));
        assertEquals(0, first.stats().fromCache());
        Path kept;
        try (var files = Files.list(dir)) {
            kept = files.filter(f -> f.toString().endsWith(".rows")).findFirst().orElseThrow();
        }
        assertEquals("700", Integer.toOctalString(Files.getPosixFilePermissions(dir).stream()
            .mapToInt(p -> 1 << (8 - p.ordinal())).sum()), "the cache is the recorder's own");

        MemoryUnwindMaps maps = new MemoryUnwindMaps(1 << 20, 4096, 65536);
        UnwindLoader second = new UnwindLoader(maps, symbolizer(), new TableCache(dir, 1 << 30));
        second.processMapped(8, mapping(EhFrameTest.LIBC, base));
        assertEquals(1, second.stats().fromCache(), "read back, not built");
        assertTrue(assertWalkerFindsTheTable(maps, 8, base, table) > 20_000);

        byte[] bytes = Files.readAllBytes(kept);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(kept, bytes);
        MemoryUnwindMaps again = new MemoryUnwindMaps(1 << 20, 4096, 65536);
        UnwindLoader third = new UnwindLoader(again, symbolizer(), new TableCache(dir, 1 << 30));
        third.processMapped(9, mapping(EhFrameTest.LIBC, base));
        assertEquals(0, third.stats().fromCache(), "a damaged file is not used");
        assertTrue(assertWalkerFindsTheTable(again, 9, base, table) > 20_000, "the table was built again");
    }
}
