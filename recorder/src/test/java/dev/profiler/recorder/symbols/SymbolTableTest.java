package dev.profiler.recorder.symbols;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SymbolTableTest {
    @Test
    void sizedSymbolsEndAndUnsizedOnesReachTheNext() {
        SymbolTable.Builder b = new SymbolTable.Builder();
        b.add(0x3000, 0, "unsized");
        b.add(0x1000, 0x10, "sized");
        b.add(0x1000, 0, "alias_of_sized");
        b.add(0xffffffff81000000L, 0, "kernel_text"); // sorts as unsigned
        SymbolTable t = b.build();
        assertNull(t.lookup(0x0fff));
        assertEquals("sized", t.lookup(0x1000).name());
        assertEquals(0xf, t.lookup(0x100f).offset());
        assertNull(t.lookup(0x1010), "past a sized symbol's end");
        assertEquals("unsized", t.lookup(0x3500).name());
        assertEquals("kernel_text", t.lookup(0xffffffff81000010L).name());
        assertEquals("unsized", t.lookup(0x7fffffffffffL).name(), "user address below kernel text");
    }
}
