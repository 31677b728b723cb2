package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one clear line and a non-zero exit: never a stack trace. */
class BadInputTest {
    @TempDir Path tmp;

    static void assertOneLineError(Tools.Result r, int exit, String contains) {
        assertEquals(exit, r.exit(), r.toString());
        String err = r.stderr().strip();
        assertTrue(err.contains(contains), r.toString());
        assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), "no stack trace: " + r);
        assertEquals(1, err.lines().count(), "one line: " + r);
    }

    @Test
    void recordingWithoutBpfCapabilitiesNamesThem() throws Exception {
        Tools.requireBpf(); // we need root to drop the capabilities again
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--"));
        cmd.add(Tools.HOME.resolve("bin/profiler-rec").toString());
        cmd.addAll(List.of("-d", "1", "-o", tmp.resolve("x.cap").toString()));
        Tools.Result r = Tools.run(cmd, 60);
        assertOneLineError(r, 2, "CAP_BPF");
        assertTrue(r.stderr().contains("CAP_PERFMON"), r.toString());
        assertFalse(Files.exists(tmp.resolve("x.cap")), "nothing created");
    }

    @Test
    void unknownPidIsRefused() throws Exception {
        Tools.requireBpf();
        Tools.Result r = Tools.tool("profiler-rec", "-p", "999999999", "-o", tmp.resolve("x.cap").toString());
        assertOneLineError(r, 2, "no process with PID 999999999");
    }

    @Test
    void existingOutputNeedsForce() throws Exception {
        Tools.requireBpf();
        Path out = Files.createDirectory(tmp.resolve("old.cap"));
        Files.writeString(out.resolve("manifest.json"), "{}");
        Tools.Result r = Tools.tool("profiler-rec", "-d", "1", "-o", out.toString());
        assertOneLineError(r, 2, "already exists; use --force");
        assertEquals("{}", Files.readString(out.resolve("manifest.json")), "left alone");
    }

    @Test
    void queryAndConvertRefuseWhatIsNotACapture() throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.bin"), "not a capture at all");
        assertOneLineError(Tools.tool("profiler-query", junk.toString(), "SELECT 1"), 2, "is not a capture");
        assertOneLineError(Tools.tool("profiler-query", "top", tmp.toString()), 2, "is not a capture");
        assertOneLineError(Tools.tool("profiler-convert", junk.toString(), "--to", "pprof", "-o",
            tmp.resolve("x.pb.gz").toString()), 2, "is not a capture");
        assertFalse(Files.exists(tmp.resolve("x.pb.gz")));
    }

    @Test
    void badSqlIsOneLine() throws Exception {
        Path cap = SyntheticCapture.write(tmp.resolve("s.cap"));
        assertOneLineError(Tools.tool("profiler-query", cap.toString(), "SELEC nonsense"), 1, "SQL error");
        assertOneLineError(Tools.tool("profiler-query", cap.toString(), "SELECT * FROM no_such_table"), 1, "no_such_table");
    }
}
