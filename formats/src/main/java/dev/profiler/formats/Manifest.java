package dev.profiler.formats;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * manifest.json: what a capture is (host, kernel, clock, how it was
 * recorded) and what the recorder itself saw (events lost per source and
 * CPU, its own CPU time). Written when recording starts (complete=false) and
 * again when it stops, so a killed recorder still leaves a readable capture.
 * Field names are snake_case in the file; see docs/capture-format.md.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Manifest {
    public int formatVersion = CaptureFiles.FORMAT_VERSION;
    public String recorder;
    /** false until the recorder stopped cleanly and wrote its counters. */
    public boolean complete;
    public String host;
    public String kernelRelease;
    public String arch;
    public int cpuCount;
    public String clock = "CLOCK_MONOTONIC";
    /** Add to a monotonic ts to get Unix-epoch ns (wall clock). */
    public long wallClockOffsetNs;
    public long startNs;
    public Long endNs;
    public Sampling sampling = new Sampling();
    public Options options = new Options();
    public Counters counters = new Counters();
    /** Rows per table, when complete. */
    public Map<String, Long> rows = new LinkedHashMap<>();

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Sampling {
        /** "cpu-clock" (software timer) or "cycles" (hardware PMU). */
        public String eventSource;
        public int frequencyHz;
        /** ns of CPU time per sample for cpu-clock; null for cycles (frequency mode). */
        public Long periodNs;
        public boolean kernelStacks = true;
        public boolean userStacks = true;
        public int maxFrames;
        /** How user stacks were walked: "dwarf" (unwind tables, frame pointers where none) or "fp"; null: fp. */
        public String callGraph;
        /** --call-graph dwarf: how the walks went, and the tables behind them. */
        public Unwinding unwinding;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Unwinding {
        /** Samples by samples.unwind outcome (complete, fell back, truncated, error), lost ones included. */
        public Map<String, Long> samples = new LinkedHashMap<>();
        /** Files with a table loaded at the end, and their rows (4 bytes each). */
        public int tables;
        public long rows;
        public long rowCapacity;
        /** Files that got no table (no .eh_frame or .debug_frame, damaged, no room): their frames took frame-pointer steps. */
        public int filesWithoutTable;
        /** The first of them, with why. */
        public List<String> withoutTable = new ArrayList<>();
        /** Tables dropped to make room for others. */
        public int evictions;
        /** Mappings past the per-process limit (128 files with tables). */
        public int mappingsLeftOut;
        /** Rows or rules that did not fit the rule arrays (walked by frame pointers there). */
        public int rowsWithoutRule;
        /** Tables read from the recorder's cache of earlier recordings' tables, not built. */
        public int tablesFromCache;
        /** Time spent building (or reading) tables, ms. */
        public long buildMs;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Options {
        /** "system", "pids" or "command". */
        public String target;
        public List<Integer> pids = new ArrayList<>();
        public List<String> command;
        public Integer durationSeconds;
        public List<String> arguments = new ArrayList<>();
        /**
         * The sources that were recorded, as the recorder set them: "samples",
         * "sched" (switches, wakeups, process lifecycle, interrupts),
         * "offcpu_stacks", "locks", "futex". Null in captures made before it
         * existed (readers then fall back on the arguments).
         */
        public List<String> sources;
        /** What the recorder leaves out of the capture on purpose. */
        public List<String> excluded = new ArrayList<>();
        /**
         * The recorder's own process: its switches against idle are not
         * recorded (only those with other threads), so its threads'
         * timelines have holes and the analyses leave them out.
         */
        public Integer recorderPid;
        public String transport;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Counters {
        /** Per source (e.g. "samples"), per CPU: events emitted by BPF. */
        public Map<String, List<Long>> emittedPerCpu = new LinkedHashMap<>();
        /** Per source, per CPU: events BPF could not hand over (buffer full). */
        public Map<String, List<Long>> lostPerCpu = new LinkedHashMap<>();
        /**
         * Events that could not be paired, by kind (e.g.
         * "lock_contention_begin": begins with no end, replaced or still
         * open at stop; "lock_contention_end": ends with no begin). Counted,
         * never given a made-up duration.
         */
        public Map<String, Long> unpaired = new LinkedHashMap<>();
        /** Records user space received but could not decode or keep. */
        public long droppedByRecorder;
        /** CPU time the recorder process used, ns (user + system). */
        public long recorderCpuNs;
        /** Bytes of all table files at stop. */
        public long captureBytes;

        public long totalLost() {
            long n = 0;
            for (List<Long> l : lostPerCpu.values()) for (long x : l) n += x;
            return n;
        }
    }

    /** Reads manifests; made on first use (the recorder only writes them, see ManifestJson). */
    private static final class Reader {
        static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    }

    /** Writes atomically (temp file + rename), so a crash never leaves half a manifest. */
    public void write(Path captureDir) throws IOException {
        Path tmp = captureDir.resolve(CaptureFiles.MANIFEST + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ManifestJson.write(this, out);
        }
        Files.move(tmp, captureDir.resolve(CaptureFiles.MANIFEST),
            StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Manifest read(Path captureDir) throws IOException {
        return Reader.JSON.readValue(captureDir.resolve(CaptureFiles.MANIFEST).toFile(), Manifest.class);
    }
}
