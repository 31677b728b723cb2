package dev.profiler.recorder.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reduced table answers, at every pc an FDE row starts, what that row
 * says; between FDEs and past the last, NONE; and it is small.
 */
class UnwindTableTest {
    @Test
    void everyRowOfLibcIsFoundAsItsReduction() throws Exception {
        List<EhFrame.Fde> fdes = EhFrame.read(ElfSections.open(EhFrameTest.LIBC));
        UnwindTable t = UnwindTable.of(fdes);
        int checked = 0, plt = 0;
        for (EhFrame.Fde f : fdes) {
            for (UnwindRow r : f.rows()) {
                UnwindTable.Row want = UnwindTable.reduce(r), got = t.find(r.pc());
                assertTrue(want.sameRuleAs(got), "pc " + Long.toHexString(r.pc()) + ": " + want + " vs " + got);
                if (got.cfa() == UnwindTable.CFA_PLT) plt++;
                checked++;
            }
            UnwindTable.Row after = t.find(f.pcEnd());
            boolean nextStartsSoon = fdes.stream().anyMatch(g -> g.pcBegin() >= f.pcEnd()
                && g.pcBegin() - f.pcEnd() < UnwindTable.MAX_PADDING && !g.rows().isEmpty());
            if (!nextStartsSoon) assertEquals(UnwindTable.NONE, after.cfa(), "past the FDE at " + Long.toHexString(f.pcBegin()));
        }
        assertTrue(checked > 20_000, checked + " rows");
        assertTrue(plt > 0, "libc's PLT rows are recognised");
        assertNull(t.find(0), "before the first FDE");
        // reduced: repeats merged; all but a handful fit the walker (the signal trampoline does not)
        assertTrue(t.rows().size() < checked, t.rows().size() + " rows of " + checked);
        assertTrue(t.unsupported() < checked / 1000, t.unsupported() + " unsupported rows");
    }

    /**
     * The recorder builds its tables from EhFrame.scan, reducing rows as they
     * come (no FDE kept whole): the table is row for row the one built from
     * the FDEs read whole, on libraries whose FDEs are not all in pc order
     * and on a program with both .eh_frame and .debug_frame.
     */
    @Test
    void tablesBuiltWhileScanningAreThoseOfTheFdesReadWhole(@TempDir Path tmp) throws Exception {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        for (Path lib : List.of(EhFrameTest.LIBC, EhFrameTest.LIBSTDCXX, libjvm, EhFrameTest.buildDebugFrameOnly(tmp))) {
            UnwindTable scanned = UnwindTable.read(ElfSections.open(lib));
            UnwindTable whole = UnwindTable.of(EhFrame.read(ElfSections.open(lib)));
            assertEquals(whole.rows(), scanned.rows(), lib.toString());
            assertEquals(whole.unsupported(), scanned.unsupported(), lib.toString());
            assertTrue(scanned.size() > 5, lib + ": " + scanned.size() + " rows");
        }
    }

    @Test
    void tablesOfLibstdcxxAndLibjvmAreMostlyRspAndRbpRows() throws Exception {
        for (Path lib : List.of(EhFrameTest.LIBSTDCXX, Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so"))) {
            UnwindTable t = UnwindTable.read(ElfSections.open(lib));
            long rbpBased = t.rows().stream().filter(r -> r.cfa() == UnwindTable.CFA_RBP).count();
            assertTrue(t.rows().size() > 10_000, lib + ": " + t.rows().size());
            assertTrue(rbpBased > 0, lib + " has rbp-based frames");
            assertTrue(t.unsupported() < t.rows().size() / 1000, lib + ": " + t.unsupported() + " unsupported");
        }
    }
}
