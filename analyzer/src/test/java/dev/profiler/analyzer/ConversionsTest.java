package dev.profiler.analyzer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profiler.analyzer.cli.ConvertCommand;
import dev.profiler.analyzer.convert.ProfileKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * profiler-convert --to pprof | collapsed, --what cpu | offcpu | locks, on
 * the synthetic captures: the files decoded again carry the totals SQL
 * gives (computed here from the capture tables and views, not from the
 * converters' query), the functions the stories put there, and the filters
 * narrow them as asked.
 */
class ConversionsTest {
    @TempDir Path tmp;

    /** {count, ns} of each profile, straight from the tables and views. */
    static final Map<String, String> TRUTH_SQL = Map.of(
        "cpu", "SELECT count(*), sum(weight) FROM samples",
        "offcpu", "SELECT count(*), coalesce(sum(dur_ns), 0) FROM offcpu WHERE NOT ends_with_capture",
        "locks", "SELECT count(*), coalesce(sum(wait_ns), 0) FROM lock_waits WHERE wait_kind = 'lock'");

    @Test
    void everyProfileOfEveryScenarioAddsUpToWhatSqlSays() throws Exception {
        for (Path capture : List.of(Scenarios.freeze(tmp.resolve("freeze.cap")), Scenarios.runqueue(tmp.resolve("runqueue.cap")),
                Scenarios.convoy(tmp.resolve("convoy.cap")))) {
            for (String what : List.of("cpu", "offcpu", "locks")) {
                long[] truth = truth(capture, TRUTH_SQL.get(what));
                Path pb = convert(capture, "pprof", what);
                PprofDecoder p = PprofDecoder.read(pb);
                ProfileKind kind = ProfileKind.named(what);
                assertEquals(List.of(kind.count.type() + "/" + kind.count.unit(), kind.time.type() + "/" + kind.time.unit()),
                    p.sampleTypes());
                assertArrayEquals(truth, p.totals(), capture + " " + what);

                Path folded = convert(capture, "collapsed", what);
                long sum = 0;
                for (String line : Files.readAllLines(folded)) {
                    assertTrue(line.matches("[^ ]+(;[^;]+)* \\d+"), line);
                    sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                }
                assertEquals(what.equals("cpu") ? truth[0] : truth[1], sum, capture + " " + what);
            }
        }
    }

    @Test
    void theConvoysLocksAreWhereTheStoryPutThem() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        PprofDecoder p = PprofDecoder.read(convert(capture, "pprof", "locks"));
        long w2 = Scenarios.RELEASE_1 - Scenarios.LOCK_TAKEN_2, w3 = Scenarios.RELEASE_2 - Scenarios.LOCK_TAKEN_3;
        assertArrayEquals(new long[] {2, w2 + w3}, p.leafTotals().get("__futex_abstimed_wait_common"));
        assertArrayEquals(new long[] {1, 3 * Scenarios.MS}, p.leafTotals().get("native_queued_spin_lock_slowpath"));
        assertEquals(2, p.leafTotals().size(), p.leafTotals().keySet().toString());

        List<String> lines = Files.readAllLines(convert(capture, "collapsed", "locks"));
        assertTrue(lines.contains("convoy;start_thread;worker;__pthread_mutex_lock_full;__futex_abstimed_wait_common " + (w2 + w3)),
            lines.toString());
    }

    @Test
    void lockWaitsAreLabelledWithTheirLock() throws Exception {
        Path capture = Scenarios.waits(tmp.resolve("waits.cap"));
        PprofDecoder p = PprofDecoder.read(convert(capture, "pprof", "locks"));
        long convoy = Scenarios.CONVOY_WAKE + 30_000 - Scenarios.CONVOY_BLOCK;
        assertArrayEquals(new long[] {1, convoy}, p.labelTotals().get("lock=convoy_lock"), p.labelTotals().keySet().toString());
        assertTrue(p.labelTotals().containsKey("lock=inode_lock"), p.labelTotals().keySet().toString());
        assertEquals(2, p.totals()[0], "the two lock waits, not the pool's condition variable");
    }

    @Test
    void filtersNarrowTheProfile() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        long w3 = Scenarios.RELEASE_2 - Scenarios.LOCK_TAKEN_3;
        // one thread: worker-2's wait only
        PprofDecoder one = PprofDecoder.read(convert(capture, "pprof", "locks", "--tid", "303"));
        assertArrayEquals(new long[] {1, w3}, one.totals());
        // a time range cutting worker-2's wait: only the part inside counts
        double cutS = (Scenarios.LOCK_TAKEN_3 + 100 * Scenarios.MS) / 1e9;
        PprofDecoder cut = PprofDecoder.read(convert(capture, "pprof", "locks", "--tid", "303", "--since", Double.toString(cutS)));
        assertArrayEquals(new long[] {1, w3 - 100 * Scenarios.MS}, cut.totals());
        // another process: nothing
        PprofDecoder none = PprofDecoder.read(convert(capture, "pprof", "cpu", "--pid", "999999"));
        assertArrayEquals(new long[] {0, 0}, none.totals());
    }

    @Test
    void badArgumentsAreOneLineAndLeaveNoFile() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        Path out = tmp.resolve("x.out");
        assertEquals(2, ConvertCommand.run(capture.toString(), "--to", "svg", "-o", out.toString()));
        assertEquals(2, ConvertCommand.run(capture.toString(), "--to", "pprof", "--what", "memory", "-o", out.toString()));
        assertEquals(2, ConvertCommand.run(capture.toString(), "--to", "speedscope", "--what", "locks", "-o", out.toString()));
        assertFalse(Files.exists(out));
        try (var files = Files.list(tmp)) { // nor a temporary file beside it
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".x.out")).toList());
        }
    }

    private Path convert(Path capture, String to, String what, String... filters) {
        Path out = tmp.resolve(capture.getFileName() + "." + what + "." + to + "." + filters.length + ".out");
        List<String> args = new ArrayList<>(List.of(capture.toString(), "--to", to, "--what", what, "-o", out.toString()));
        args.addAll(List.of(filters));
        assertEquals(0, ConvertCommand.run(args.toArray(String[]::new)), String.join(" ", args));
        return out;
    }

    private static long[] truth(Path capture, String sql) throws Exception {
        try (CaptureDatabase db = CaptureDatabase.open(capture); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
