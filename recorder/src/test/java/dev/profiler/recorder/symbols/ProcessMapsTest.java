package dev.profiler.recorder.symbols;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ProcessMapsTest {
    @Test
    void parsesFileAnonymousDeletedAndSpecialMappings() {
        var m = ProcessMaps.parse("55d0c0a00000-55d0c0a01000 r-xp 00001000 fe:01 1234   /usr/bin/app");
        assertEquals(0x55d0c0a00000L, m.start());
        assertEquals(0x1000, m.offset());
        assertEquals("/usr/bin/app", m.path());
        assertTrue(m.executable());
        var anon = ProcessMaps.parse("7f0000000000-7f0000100000 rwxp 00000000 00:00 0 ");
        assertNull(anon.path());
        var deleted = ProcessMaps.parse("7f00-7f10 r-xp 00000000 fe:01 9 /tmp/lib with space.so (deleted)");
        assertEquals("/tmp/lib with space.so", deleted.path());
        var vdso = ProcessMaps.parse("7ffd0000-7ffd2000 r-xp 00000000 00:00 0  [vdso]");
        assertTrue(vdso.isSpecial());
        var data = ProcessMaps.parse("7f00-7f10 rw-p 00000000 fe:01 9 /usr/lib/x.so");
        assertFalse(data.executable());
        var tail = ProcessMaps.parse("  7f00-7f10 r-xp 00002000 fe:01 9    /usr/lib/x.so  ");
        assertEquals(0x2000, tail.offset());
        assertEquals("/usr/lib/x.so", tail.path(), "leading and trailing blanks are not part of the path");
        assertNull(ProcessMaps.parse("7f00-7f10 r-xp"), "a line cut short");
        assertNull(ProcessMaps.parse("7f00-zz10 r-xp 00000000 fe:01 9 /x"), "a bad address");
    }

    @Test
    void readsTheExecutableMappingsOfThisProcessLikeAFullParse() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        ProcessMaps maps = ProcessMaps.read(java.nio.file.Path.of("/proc"), self);
        long expected = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
            .map(ProcessMaps::parse).filter(m -> m != null && m.executable()).count();
        assertTrue(maps.mappings().size() > 5, "a JVM maps libjvm, libc and more: " + maps.mappings().size());
        assertEquals(expected, maps.mappings().size(), "the fast path on the permissions skips no executable mapping");
        assertTrue(maps.mappings().stream().anyMatch(m -> m.path() != null && m.path().endsWith("libjvm.so")));
    }
}
