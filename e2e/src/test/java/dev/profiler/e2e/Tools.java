package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.profiler.recorder.Capabilities;
import org.junit.jupiter.api.Assumptions;

/** Runs the tools from bin/ as a user would, and builds test workloads. */
final class Tools {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path HOME = Path.of(System.getenv().getOrDefault("PROFILER_HOME", "..")).toAbsolutePath().normalize();

    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    private Tools() {}

    static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        return run(command, null, timeoutSeconds);
    }

    /** Runs command with stdin read from input (null: no input). */
    static Result run(List<String> command, Path input, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tool-out", ".txt"), err = Files.createTempFile("tool-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.redirectInput(input != null ? input.toFile() : new java.io.File("/dev/null"));
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out after " + timeoutSeconds + " s: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Rows of profiler-query's JSON output for sql over capture (the query must succeed). */
    static JsonNode query(Path capture, String sql) throws IOException, InterruptedException {
        Result r = tool("profiler-query", "--format", "json", capture.toString(), sql);
        assertEquals(0, r.exit(), r.toString());
        return JSON.readTree(r.stdout());
    }

    /** The first column of the first row of sql over capture, as a long. */
    static long scalar(Path capture, String sql) throws IOException, InterruptedException {
        return query(capture, sql).get(0).elements().next().asLong();
    }

    static Result tool(String name, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("bin").resolve(name).toString());
        cmd.addAll(List.of(args));
        return run(cmd, 180);
    }

    /**
     * Compiles testdata/workloads/NAME.c with frame pointers in every
     * function (clang: gcc 12 still omits them in leaf functions).
     */
    static Path buildWorkload(String name, Path dir) throws IOException, InterruptedException {
        Path src = HOME.resolve("testdata/workloads").resolve(name + ".c");
        Path bin = dir.resolve(name);
        Result r = run(List.of("clang", "-O2", "-g", "-fno-omit-frame-pointer", "-mno-omit-leaf-frame-pointer",
            "-pthread", "-o", bin.toString(), src.toString()), 60);
        if (r.exit() != 0) fail("cannot build " + src + ": " + r);
        return bin;
    }

    /**
     * Compiles testdata/workloads/NAME.c as a distribution builds C: plain
     * gcc -O2, so no function keeps a frame pointer; extra: more gcc
     * arguments (-shared -fPIC for a library, whose name is then libNAME.so).
     */
    static Path buildPlain(String name, Path dir, String... extra) throws IOException, InterruptedException {
        Path src = HOME.resolve("testdata/workloads").resolve(name + ".c");
        boolean library = List.of(extra).contains("-shared");
        Path out = dir.resolve(library ? "lib" + name + ".so" : name);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-pthread"));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-o", out.toString(), src.toString()));
        Result r = run(cmd, 60);
        if (r.exit() != 0) fail("cannot build " + src + ": " + r);
        return out;
    }

    /**
     * Mounts tracefs where a fresh machine may not have it: the second
     * tracers the tests compare against (bpftrace, perf) read tracepoint
     * formats from it. The recorder itself does not need it (tp_btf).
     */
    static void mountTracefs() throws IOException, InterruptedException {
        if (Files.isDirectory(Path.of("/sys/kernel/tracing/events/sched"))) return;
        Result r = run(List.of("mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"), 30);
        if (r.exit() != 0 || !Files.isDirectory(Path.of("/sys/kernel/tracing/events/sched")))
            fail("cannot mount tracefs on /sys/kernel/tracing: " + r);
    }

    /**
     * Skips a test that needs BPF where BPF is truly unavailable (not root,
     * no BTF), and fails it instead when PROFILER_REQUIRE_BPF=1 (set by CI).
     */
    static void requireBpf() throws IOException {
        String why = null;
        if (!Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"))) why = "no /sys/kernel/btf/vmlinux";
        else {
            List<String> missing = Capabilities.missingForRecording(Path.of("/proc/self/status"));
            if (!missing.isEmpty()) why = "missing " + String.join(", ", missing);
        }
        if (why == null) return;
        if ("1".equals(System.getenv("PROFILER_REQUIRE_BPF")))
            fail("BPF is required (PROFILER_REQUIRE_BPF=1) but unavailable: " + why);
        Assumptions.abort("BPF unavailable: " + why);
    }
}
