package dev.profiler.analyzer.cli;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.convert.ChromeConversion;
import dev.profiler.analyzer.convert.CollapsedConversion;
import dev.profiler.analyzer.convert.HtmlConversion;
import dev.profiler.analyzer.convert.PprofConversion;
import dev.profiler.analyzer.convert.ProfileKind;
import dev.profiler.analyzer.convert.Progress;
import dev.profiler.analyzer.convert.SpeedscopeConversion;
import dev.profiler.analyzer.reports.ReportSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "profiler-convert", mixinStandardHelpOptions = true, version = "profiler-convert 0.1.0",
    usageHelpAutoWidth = true,
    description = {"Converts a capture for the viewers people use (--to):",
        "  chrome      Perfetto UI, chrome://tracing (thread states, stalls, locks)",
        "  pprof       go tool pprof, Pyroscope",
        "  collapsed   flamegraph.pl, inferno, speedscope",
        "  speedscope  speedscope (a CPU profile per thread)",
        "  html        one page, offline: flame graph, stalls, locks",
        "--what (pprof, collapsed): cpu samples; offcpu: time blocked, by the",
        "stack it blocked in; locks: time waiting for kernel locks and futexes."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:written", "1:conversion failed (no partial output is left)", "2:bad arguments or not a capture"})
public final class ConvertCommand implements Callable<Integer> {
    static final List<String> FORMATS = List.of("chrome", "pprof", "collapsed", "speedscope", "html");

    /** Above this a Chrome JSON trace does not open: V8's string limit (2^29 - 24 characters) in Chrome, memory in Perfetto UI. */
    static final long CHROME_JSON_LIMIT = 500L << 20;

    @Parameters(index = "0", paramLabel = "CAPTURE", description = "capture directory or .cap.tar")
    Path capture;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "chrome, pprof, collapsed, speedscope or html")
    String to;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "output file (replaced if it exists)")
    Path output;

    @Option(names = "--what", defaultValue = "cpu", paramLabel = "PROFILE",
        description = "cpu, offcpu or locks (default: ${DEFAULT-VALUE})")
    String what;

    @Mixin
    FilterOptions filters = new FilterOptions();

    @Option(names = "--no-cache", description = "neither read nor write the capture's analysis cache")
    boolean noCache;

    @Override
    public Integer call() throws Exception {
        if (!FORMATS.contains(to)) throw new UsageException("unknown --to " + to + " (formats: " + String.join(", ", FORMATS) + ")");
        ProfileKind kind = ProfileKind.named(what);
        if (kind == null) throw new UsageException("unknown --what " + what + " (cpu, offcpu or locks)");
        if (to.equals("speedscope") && kind != ProfileKind.CPU) throw new UsageException("--to speedscope writes CPU profiles only");
        ReportSettings settings = filters.settings();
        Path parent = output.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new UsageException("directory " + parent + " does not exist");
        boolean terminal = System.console() != null;
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture),
                noCache ? CaptureDatabase.CacheUse.OFF : CaptureDatabase.CacheUse.USE,
                message -> {
                    if (terminal) System.err.println("profiler-convert: " + message);
                })) {
            for (String w : db.warnings()) System.err.println("profiler-convert: warning: " + w);
            settings.apply(db.connection(), db.manifest().startNs);
            // Write beside the target, then rename: a failure never leaves half a file.
            Path tmp = Files.createTempFile(parent, "." + output.getFileName(), ".tmp");
            Progress progress = Progress.onTerminal(to, 0);
            String captureName = capture.toAbsolutePath().normalize().getFileName().toString();
            try {
                String summary;
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    summary = switch (to) {
                        case "chrome" -> {
                            long[] n = ChromeConversion.write(db, out, progress);
                            yield String.format("%s, %,d thread-state slices, %,d stalls, %,d lock waits, %,d samples%s",
                                to, n[0], n[1], n[2], n[3],
                                n[4] > 0 ? String.format(", critical path of tid %d in %,d pieces", settings.tid(), n[4]) : "");
                        }
                        case "pprof" -> {
                            long[] totals = PprofConversion.write(db, kind, out, progress);
                            yield String.format("%s %s, %,d %s, %,d ns", to, kind.sqlName, totals[0], kind.count.type(), totals[1]);
                        }
                        case "html" -> {
                            long[] n = HtmlConversion.write(db, captureName,
                                settings.thresholdMs() == null ? 50 : settings.thresholdMs(), out);
                            yield String.format("%s, flame graph of %,d samples, %,d stalls, %,d locks", to, n[0], n[1], n[2]);
                        }
                        case "speedscope" -> {
                            long n = SpeedscopeConversion.write(db, captureName, out, progress);
                            yield String.format("%s, %,d samples", to, n);
                        }
                        default -> {
                            long total = CollapsedConversion.write(db, kind, out, progress);
                            yield String.format("%s %s, weights add up to %,d %s", to, kind.sqlName, total,
                                kind == ProfileKind.CPU ? "samples" : "ns");
                        }
                    };
                }
                progress.finish();
                Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                long bytes = Files.size(output);
                System.err.printf("wrote %s: %s, %,d bytes%n", output, summary, bytes);
                if (to.equals("chrome") && bytes > CHROME_JSON_LIMIT)
                    System.err.printf("profiler-convert: warning: %s is %,d MB: Chrome cannot open a JSON trace over ~500 MB"
                        + " and Perfetto UI runs out of memory near 2 GB; narrow it with --pid, --tid, --since, --until%n",
                        output, bytes >> 20);
            } catch (SQLException | IOException e) {
                progress.finish();
                Files.deleteIfExists(tmp);
                throw new QueryException("converting to " + to + " failed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
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
