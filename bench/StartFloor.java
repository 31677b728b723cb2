import dev.profiler.formats.CaptureWriter;
import dev.profiler.recorder.bpf.BpfSession;
import dev.profiler.recorder.cli.RecordCommand;
import dev.profiler.recorder.symbols.KernelSymbols;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * The start-up floor under profiler-rec (see bench/start-cost): each
 * argument adds the first use of one part of the recorder's stack, with no
 * recording work. "pico": picocli parsing the recorder's options; "arrow":
 * an empty capture created and closed (Arrow's allocator, schemas, writers,
 * ZSTD); "jna": the shim bound through JNA; "kallsyms": KernelSymbols.load.
 */
public class StartFloor {
    public static void main(String[] args) throws Exception {
        for (String step : args) {
            switch (step) {
                case "pico" -> new CommandLine(new RecordCommand()).parseArgs("-o", "x.cap", "--", "true");
                case "arrow" -> {
                    Path dir = Files.createTempDirectory("start-floor");
                    try (CaptureWriter w = CaptureWriter.create(dir.resolve("c.cap"), false)) {
                        // created and closed empty: every table's schema and writer
                    }
                    try (var s = Files.walk(dir)) {
                        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
                case "jna" -> BpfSession.library();
                case "kallsyms" -> KernelSymbols.load(Path.of("/proc/kallsyms"));
                default -> throw new IllegalArgumentException("unknown step " + step);
            }
        }
    }
}
