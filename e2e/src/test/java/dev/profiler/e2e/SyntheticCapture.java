package dev.profiler.e2e;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import java.nio.file.Path;

/** A tiny capture whose contents the test knows exactly. */
final class SyntheticCapture {
    private SyntheticCapture() {}

    static Path write(Path dir) throws Exception {
        try (CaptureWriter w = CaptureWriter.create(dir, false)) {
            w.table(CaptureTable.FRAMES).append(0L, 0x1000L, "/bin/app", "abcd", 0x1000L, "leaf", 0L, null, null, false, "user");
            w.table(CaptureTable.FRAMES).append(1L, 0x2000L, "/bin/app", "abcd", 0x2000L, "main", 0L, null, null, false, "user");
            w.table(CaptureTable.STACKS).append(0L, new long[] {0, 1}, (short) 0, false);
            for (int i = 0; i < 10; i++)
                w.table(CaptureTable.SAMPLES).append(1_000_000L * i, 0, 42, 42, 0L, 10_000_000L, null);
            Manifest m = new Manifest();
            m.complete = true;
            m.sampling.eventSource = "cpu-clock";
            m.sampling.frequencyHz = 100;
            m.sampling.periodNs = 10_000_000L;
            w.writeManifest(m);
        }
        return dir;
    }
}
