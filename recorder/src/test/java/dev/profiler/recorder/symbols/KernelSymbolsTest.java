package dev.profiler.recorder.symbols;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /proc/kallsyms as the kernel writes it: text for stacks, data for lock addresses. */
class KernelSymbolsTest {
    @TempDir Path tmp;

    /** Loads a kallsyms file of these lines, joined by newlines (no newline after the last). */
    KernelSymbols load(String... lines) throws Exception {
        Path f = tmp.resolve("kallsyms");
        Files.writeString(f, String.join("\n", lines));
        return KernelSymbols.load(f);
    }

    KernelSymbols load() throws Exception {
        return load(
            "0000000000000000 A fixed_percpu_data",
            "0000000000001000 D per_cpu_thing",
            "ffffffff81000000 T _stext",
            "ffffffff81000100 t helper",
            "ffffffff82a00000 D jiffies_lock",
            "ffffffff82a00040 d rcu_state",
            "ffffffff82b00000 B some_bss_lock",
            "ffffffffc0a01000 t ext4_fn\t[ext4]",
            "ffffffffc0a08000 d ext4_lock\t[ext4]",
            "");
    }

    @Test
    void textAddressesNameFunctionsAndModules() throws Exception {
        KernelSymbols k = load();
        SymbolTable.Hit h = k.lookup(0xffffffff81000110L);
        assertEquals("helper", h.name());
        assertEquals(0x10, h.offset());
        assertEquals(KernelSymbols.KERNEL_MODULE, k.moduleOf(0xffffffff81000110L, h));
        SymbolTable.Hit m = k.lookup(0xffffffffc0a01004L);
        assertEquals("ext4_fn", m.name());
        assertEquals("[ext4]", k.moduleOf(0xffffffffc0a01004L, m));
    }

    @Test
    void lockAddressesNameTheStaticObjectTheyLieIn() throws Exception {
        KernelSymbols k = load();
        assertEquals("jiffies_lock", k.lookupData(0xffffffff82a00000L).name());
        SymbolTable.Hit h = k.lookupData(0xffffffff82a00048L);
        assertEquals("rcu_state", h.name());
        assertEquals(8, h.offset());
        assertEquals("some_bss_lock", k.lookupData(0xffffffff82b00010L).name());
        assertEquals("ext4_lock", k.lookupData(0xffffffffc0a08010L).name());
        assertNull(k.lookupData(0xffff888012345678L), "a lock in a slab object (direct map) has no symbol");
        assertNull(k.lookupData(0x1008), "per-CPU offsets are not addresses");
        assertNull(k.lookupData(0xffffffff82b00000L + 1_000_000), "far past the last data symbol");
        assertNull(k.lookupData(0xffffffff81000110L), "text is not data");
    }

    /**
     * The kernel lists BPF programs and modules after the core kernel, not
     * in address order, and several names can share an address: lookups
     * see the table sorted, with the first name listed for an address.
     */
    @Test
    void unsortedLinesAreSortedAndTheFirstOfSeveralNamesAtAnAddressWins() throws Exception {
        KernelSymbols k = load(
            "ffffffffc0a01000 t late_module_fn\t[late]",
            "ffffffff81000200 T second",
            "ffffffff81000100 T first",
            "ffffffff81000100 t first_alias",
            "ffffffff81000300 W weak_fn",
            "ffffffffa0000000 t bpf_prog_6deef7357e7b4530_on_switch\t[bpf]",
            "not a line",
            "ffffffff81000400 T no_newline_at_the_end");
        assertEquals("first", k.lookup(0xffffffff81000180L).name());
        assertEquals("second", k.lookup(0xffffffff81000200L).name());
        assertEquals("weak_fn", k.lookup(0xffffffff81000304L).name());
        assertEquals("no_newline_at_the_end", k.lookup(0xffffffff81000404L).name());
        SymbolTable.Hit bpf = k.lookup(0xffffffffa0000010L);
        assertEquals("bpf_prog_6deef7357e7b4530_on_switch", bpf.name());
        assertEquals("[bpf]", k.moduleOf(0xffffffffa0000010L, bpf));
        assertEquals("late_module_fn", k.lookup(0xffffffffc0a01008L).name());
        assertNull(k.lookup(0xffffffff80000000L), "below the first symbol");
    }

    @Test
    void anUnreadableFileIsAnIOExceptionWithTheReason() {
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> KernelSymbols.load(tmp.resolve("missing")));
        assertEquals("No such file or directory", e.getMessage());
    }
}
