package dev.profiler.analyzer.cli;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.convert.PprofConversion;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "profiler-convert", mixinStandardHelpOptions = true, version = "profiler-convert 0.1.0",
    usageHelpAutoWidth = true,
    description = "Converts a capture for other viewers: pprof (go tool pprof, Pyroscope).",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:written", "1:conversion failed (no partial output is left)", "2:bad arguments or not a capture"})
public final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAPTURE", description = "capture directory or .cap.tar")
    Path capture;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "pprof")
    String to;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "output file (replaced if it exists)")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!to.equals("pprof")) throw new UsageException("unknown --to " + to + " (formats: pprof)");
        Path parent = output.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new UsageException("directory " + parent + " does not exist");
        try (CaptureDatabase db = CaptureDatabase.open(capture)) {
            for (String w : db.warnings()) System.err.println("profiler-convert: warning: " + w);
            // Write beside the target, then rename: a failure never leaves half a file.
            Path tmp = Files.createTempFile(parent, "." + output.getFileName(), ".tmp");
            try {
                long samples;
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    samples = PprofConversion.write(db, out);
                }
                Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                System.err.printf("wrote %s: pprof, %,d samples, %,d bytes%n", output, samples, Files.size(output));
            } catch (SQLException | IOException e) {
                Files.deleteIfExists(tmp);
                throw new QueryException("converting to pprof failed: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return 0;
    }

    public static int run(String... argv) {
        return Cli.execute("profiler-convert", new ConvertCommand(), argv);
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }
}
