package dev.profiler.analyzer;

import dev.profiler.analyzer.cli.ConvertCommand;
import dev.profiler.analyzer.cli.QueryCommand;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Run once by the build (mvn package), which archives the classes it loads
 * (see the root pom): a query, the top report and a pprof conversion of a
 * tiny capture, so the class-data archive covers the analyzer's start-up
 * paths (Arrow, DuckDB JDBC, picocli, the encoders).
 */
public final class ClassArchiveTraining {
    private ClassArchiveTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("cds-training");
        try {
            Path cap = dir.resolve("t.cap");
            try (CaptureWriter w = CaptureWriter.create(cap, false)) {
                w.table(CaptureTable.FRAMES).append(0L, 0x1000L, "/bin/app", "ab", 0x1000L, "main", 0L, null, null, false, "user");
                w.table(CaptureTable.STACKS).append(0L, new long[] {0}, (short) 0, false);
                w.table(CaptureTable.SAMPLES).append(1L, 0, 1, 1, 0L, 1L, "complete");
                w.table(CaptureTable.THREADS).append(1, 1, "t", 1L, 1L);
                w.writeManifest(new Manifest());
            }
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            System.setErr(quiet); // the tools' summaries would only clutter the build log
            QueryCommand.run(quiet, cap.toString(), "SELECT count(*) FROM samples");
            QueryCommand.run(quiet, "--format", "json", cap.toString(), "SELECT * FROM frames");
            QueryCommand.run(quiet, "top", cap.toString());
            ConvertCommand.run(cap.toString(), "--to", "pprof", "-o", dir.resolve("t.pb.gz").toString());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
