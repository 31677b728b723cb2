import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How long the analyzer takes to open a capture (copy every table from its
 * Arrow stream into DuckDB through the C data interface) and to answer the
 * top report, on a synthetic capture of N samples over 5,000 stacks.
 * Run: bench/load-capture [SAMPLES] (default 10,000,000); prints medians of 5.
 */
public class LoadBench {
    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        Path dir = Files.createTempDirectory("loadbench");
        Path cap = dir.resolve("big.cap");
        long t0 = System.nanoTime();
        try (CaptureWriter w = CaptureWriter.create(cap, false)) {
            for (int f = 0; f < 1000; f++)
                w.table(CaptureTable.FRAMES).append((long) f, 0x400000L + f * 64, "/usr/bin/app", "abcd", f * 64L,
                    "function_" + f, 0L, null, null, false, "user");
            for (int s = 0; s < 5000; s++)
                w.table(CaptureTable.STACKS).append((long) s, new long[] {s % 1000, (s / 7) % 1000, (s / 49) % 1000},
                    (short) 0, false);
            for (long i = 0; i < n; i++)
                w.table(CaptureTable.SAMPLES).append(i * 1_000_000L, (int) (i & 1), 100, 100 + (int) (i % 8),
                    (i * 2654435761L) % 5000, 1_001_001L, "complete");
            Manifest m = new Manifest();
            m.complete = true;
            m.sampling.eventSource = "cpu-clock";
            m.sampling.frequencyHz = 999;
            w.writeManifest(m);
        }
        long bytes = Files.walk(cap).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        System.out.printf("wrote %,d samples in %.1f s, %,d bytes (%.2f B/sample)%n", n, (System.nanoTime() - t0) / 1e9,
            bytes, (double) bytes / n);
        List<Double> open = new ArrayList<>(), top = new ArrayList<>();
        for (int r = 0; r < 5; r++) {
            long a = System.nanoTime();
            // without the analysis cache: this measures copying the tables into DuckDB, every time
            try (CaptureDatabase db = CaptureDatabase.open(List.of(cap), CaptureDatabase.CacheUse.OFF, msg -> {});
                 Statement st = db.connection().createStatement()) {
                long b = System.nanoTime();
                try (ResultSet rs = st.executeQuery(dev.profiler.analyzer.SqlLibrary.report("top"))) {
                    while (rs.next()) { }
                }
                long c = System.nanoTime();
                open.add((b - a) / 1e9);
                top.add((c - b) / 1e9);
            }
        }
        Collections.sort(open);
        Collections.sort(top);
        System.out.printf("open (load all tables into DuckDB): median %.2f s (%.0f ns/sample); top report: median %.2f s%n",
            open.get(2), open.get(2) * 1e9 / n, top.get(2));
        Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
}
