package dev.profiler.analyzer.reports;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profiler.formats.Manifest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whether a capture recorded lock waits, for the locks report's "no lock
 * waits" line: the manifest's sources; in older captures, the recorder's
 * own options only, never the recorded command's (`profiler-rec -- tool
 * --all` used to read as a recording with --all).
 */
class LocksRecordedTest {
    private static Manifest.Options options(List<String> sources, String... arguments) {
        Manifest.Options o = new Manifest.Options();
        o.sources = sources;
        o.arguments = List.of(arguments);
        return o;
    }

    @Test
    void theManifestsSourcesDecide() {
        assertFalse(LocksReport.locksRecorded(options(List.of("samples", "sched"), "-a", "--", "tool", "--all")));
        assertTrue(LocksReport.locksRecorded(options(List.of("samples", "futex"))));
        assertTrue(LocksReport.locksRecorded(options(List.of("samples", "sched", "locks"))));
    }

    @Test
    void anOlderCaptureIsReadFromTheRecordersOwnOptions() {
        assertFalse(LocksReport.locksRecorded(options(null, "-a", "--", "tool", "--all")), "the command's --all");
        assertTrue(LocksReport.locksRecorded(options(null, "--all", "-a")));
        assertTrue(LocksReport.locksRecorded(options(null, "--futex", "--", "sleep", "1")));
    }
}
