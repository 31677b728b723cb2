package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profiler.recorder.symbols.PerfMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the recorder reads before it signals a JVM: never one that would die of SIGQUIT. */
class HotSpotPerfMapTest {
    @TempDir Path tmp;

    @Test
    void sigquitIsSentOnlyToAProcessThatCatchesIt() {
        // a HotSpot JVM catches SIGQUIT (bit 2); one run with -Xrs, like most processes, does not
        assertTrue(HotSpotPerfMap.catchesSigquit("Name:\tjava\nSigCgt:\t0000000181005ccf\n"));
        assertFalse(HotSpotPerfMap.catchesSigquit("Name:\tjava\nSigCgt:\t0000000181005cc8\n"));
        assertFalse(HotSpotPerfMap.catchesSigquit("Name:\tjava\n"), "no mask: do not risk it");
    }

    @Test
    void thisJvmCatchesSigquitAndNamesItsAttachFilesByItsNamespacedPid() throws Exception {
        long self = ProcessHandle.current().pid();
        assertTrue(HotSpotPerfMap.catchesSigquit(Files.readString(Path.of("/proc/self/status"))),
            "HotSpot handles SIGQUIT (its thread dump, and attach)");
        assertEquals(self, HotSpotPerfMap.nsPid(Path.of("/proc/self/status"), -1));
        Path status = Files.writeString(tmp.resolve("status"), "Name:\tjava\nNSpid:\t4242\t17\n");
        assertEquals(17, HotSpotPerfMap.nsPid(status, 4242), "inside a container: its own pid namespace's");
        assertTrue(HotSpotPerfMap.isHotSpot(Path.of("/proc"), (int) self), "this test runs in HotSpot");
    }

    @Test
    void aPerfMapOlderThanTheProcessOfItsPidIsAnEarlierProcesss() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        Path map = PerfMap.pathFor(self);
        try {
            Files.writeString(map, "7f0000001000 40 stale_method\n");
            Files.setLastModifiedTime(map, FileTime.fromMillis(0));
            assertTrue(PerfMap.olderThanItsProcess(self), "written before this JVM started");
            Files.setLastModifiedTime(map, FileTime.from(Instant.now()));
            assertFalse(PerfMap.olderThanItsProcess(self), "written while it runs");
        } finally {
            Files.deleteIfExists(map);
        }
    }
}
