package dev.profiler.analyzer.convert;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.formats.chrome.ChromeTraceWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * A capture as a Chrome trace (Perfetto UI, chrome://tracing): process and
 * thread names; each thread's states (running, runnable, and blocked ones
 * named with their wait kind: "sleeping (idle)", "uninterruptible (io)",
 * which Perfetto colours apart) as back-to-back slices on its track, which
 * never overlap (thread_states intervals are back to back); the stalls
 * (named with their wait kind too) and the lock waits, each on a
 * process of their own whose threads are lanes, a slice going to the first
 * lane free at its start, so no two overlap either; then the CPU samples,
 * pointing into a tree of stack frames. Everything in time order, read from
 * DuckDB row by row. The report filters (only_pid, only_tid, from_ns,
 * to_ns, threshold_ns for stalls) apply as DuckDB variables; slices are
 * clipped to the time range. With only_tid (--tid), a last pseudo-process
 * holds that thread's critical path (critical_path.sql): what it and, while
 * it was blocked, its wakers were doing, back to back.
 */
public final class ChromeConversion {
    private ChromeConversion() {}

    /** Pseudo-processes above Linux's largest pid (2^22), so they clash with none. */
    static final long STALLS_PID = 5_000_000, LOCKS_PID = 5_000_001, PATH_PID = 5_000_002;

    static final String FILTERS = """

          AND in_report_threads(pid, tid)
        """;

    static final String EVENTS_SQL = """
        WITH b AS (SELECT coalesce(getvariable('from_ns'), -9223372036854775807) AS lo,
                          coalesce(getvariable('to_ns'), 9223372036854775807) AS hi),
        -- running and runnable from thread_states, blocked from offcpu (the same intervals, with their wait kind)
        states AS (
          SELECT 0 AS part, greatest(ts_begin, lo) AS ts, least(ts_end, hi) AS te, coalesce(pid, 0) AS pid, tid,
                 state AS name, cpu, reason AS detail
          FROM thread_states, b
          WHERE state IN ('running', 'runnable') AND dur_ns > 0 AND ts_end > lo AND ts_begin < hi""" + FILTERS + """
          UNION ALL
          SELECT 0, greatest(ts_begin, lo), least(ts_end, hi), coalesce(pid, 0), tid,
                 state || ' (' || wait_kind || ')', cpu, wait_kind || ': ' || coalesce(wait_detail, '?')
                 || coalesce(', by ' || wait_signal, '')
          FROM offcpu, b
          WHERE dur_ns > 0 AND ts_end > lo AND ts_begin < hi""" + FILTERS + """
        ),
        stall_rows AS (
          SELECT 1 AS part, greatest(ts_begin, lo) AS ts, least(ts_end, hi) AS te, coalesce(pid, 0) AS pid,
                 coalesce(tid, 0) AS tid, kind || coalesce(' (' || wait_kind || ')', '') AS name, cpu, cause AS detail
          FROM stalls(threshold_ns := coalesce(getvariable('threshold_ns'), 50000000),
                      include_idle := coalesce(getvariable('include_idle'), false)), b
          WHERE ts_end > lo AND ts_begin < hi
            AND (in_report_threads(pid, tid) OR kind = 'freeze')
        ),
        lock_rows AS (
          SELECT 2 AS part, greatest(ts_begin, lo) AS ts, least(ts_end, hi) AS te, coalesce(pid, 0) AS pid, tid,
                 lock_name AS name, NULL::INTEGER AS cpu, lock_type AS detail
          FROM lock_waits, b
          WHERE wait_kind = 'lock' AND ts_end > lo AND ts_begin < hi""" + FILTERS + """
        ),
        -- with --tid: that thread's critical path, piece by piece
        path_rows AS (
          SELECT 3 AS part, ts_begin AS ts, ts_end AS te, coalesce(t.pid, 0) AS pid, p.tid,
                 coalesce(p.thread, '?') || ' (' || p.tid || '): ' || p.doing AS name, p.cpu,
                 'depth ' || p.depth || ': ' || array_to_string(p.chain, ' > ') AS detail
          FROM critical_path(getvariable('only_tid'), from_ns := getvariable('from_ns'), to_ns := getvariable('to_ns')) p
          LEFT JOIN threads t ON t.tid = p.tid
          WHERE getvariable('only_tid') IS NOT NULL
        )
        -- integers as BIGINT: DuckDB's JDBC boxes narrower ones on every read
        SELECT part::BIGINT, ts, te, pid::BIGINT, tid::BIGINT, name, cpu::BIGINT, detail
        FROM (SELECT * FROM states UNION ALL SELECT * FROM stall_rows UNION ALL SELECT * FROM lock_rows
              UNION ALL SELECT * FROM path_rows)
        ORDER BY ts, part, pid, tid, te, name""";

    static final String SAMPLES_SQL = """
        SELECT cpu::BIGINT, tid::BIGINT, ts, stack_id FROM samples
        WHERE in_report_range(ts, ts)""" + FILTERS + """
        ORDER BY ts""";

    private static final SerializableString CPU = new SerializedString("cpu"), REASON = new SerializedString("reason"),
        PID = new SerializedString("pid"), TID = new SerializedString("tid"), CAUSE = new SerializedString("cause"),
        LOCK_TYPE = new SerializedString("lock_type");

    /** Per pseudo-process part (1 stalls, 2 lock waits, 3 critical path): its pid, lane names, category, detail arg. */
    private static final long[] PSEUDO_PIDS = {STALLS_PID, LOCKS_PID, PATH_PID};
    private static final String[] LANE_NAMES = {"stalls ", "lock waits ", "critical path "};
    private static final String[] CATEGORIES = {"stall", "lock wait", "critical path"};
    private static final SerializableString[] DETAILS = {CAUSE, LOCK_TYPE, new SerializedString("via")};

    /** A node of the stack-frame tree: a frame under a parent node. */
    private record NodeKey(long parent, long frameId) {}

    /** Writes the trace; returns {thread-state slices, stalls, lock waits, samples, critical-path pieces}. */
    public static long[] write(CaptureDatabase db, OutputStream out, Progress progress) throws SQLException, IOException {
        long[] counts = new long[5];
        String event = db.manifest().sampling.eventSource == null ? "cpu sample" : db.manifest().sampling.eventSource;
        try (Statement st = db.connection().createStatement();
             ChromeTraceWriter w = new ChromeTraceWriter(out, db.manifest().startNs)) {
            names(st, w);
            w.processName(STALLS_PID, "stalls");
            w.processName(LOCKS_PID, "lock waits");
            w.processName(PATH_PID, "critical path");
            writeSlices(st, w, counts, progress);
            Map<Long, Long> stackLeaf = new HashMap<>();
            List<Object[]> nodes = stackTree(st, stackLeaf);
            counts[3] = writeSamples(st, w, event, leafLookup(stackLeaf), progress);
            for (int i = 0; i < nodes.size(); i++) {
                Object[] n = nodes.get(i);
                w.stackFrame(i + 1, (String) n[0], (String) n[1], (Long) n[2]);
            }
        }
        return counts;
    }

    /** The thread states, stalls and lock waits in time order; counts[part] counts each. */
    private static void writeSlices(Statement st, ChromeTraceWriter w, long[] counts, Progress progress)
            throws SQLException, IOException {
        // per pseudo-process (stalls, lock waits, critical path): each lane's end
        List<List<Long>> lanes = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (FetchAhead rows = new FetchAhead(st, EVENTS_SQL)) {
            for (FetchAhead.Batch b; (b = rows.next()) != null; ) {
                for (int i = 0; i < b.rows; i++) {
                    int part = (int) b.longs[0][i];
                    long ts = b.longs[1][i], te = b.longs[2][i], pid = b.longs[3][i], tid = b.longs[4][i];
                    String name = b.strings[5][i], detail = b.strings[7][i];
                    if (part == 0) {
                        w.beginSlice(pid, tid, name, "thread state", ts, te);
                    } else {
                        long pseudo = PSEUDO_PIDS[part - 1];
                        int before = lanes.get(part - 1).size();
                        long lane = lane(lanes.get(part - 1), ts, te);
                        if (lanes.get(part - 1).size() > before)
                            w.threadName(pseudo, lane, LANE_NAMES[part - 1] + lane);
                        w.beginSlice(pseudo, lane, name, CATEGORIES[part - 1], ts, te);
                    }
                    if (!b.nulls[6][i]) w.arg(CPU, b.longs[6][i]);
                    if (part == 0) {
                        w.arg(REASON, detail);
                    } else {
                        w.arg(PID, pid);
                        w.arg(TID, tid);
                        w.arg(DETAILS[part - 1], detail);
                    }
                    w.endSlice();
                    counts[part == 3 ? 4 : part]++; // counts[3]: the samples, written after
                }
                progress.advance(b.rows);
            }
        }
    }

    /** The CPU samples in time order, each pointing at its stack's leaf node; returns how many. */
    private static long writeSamples(Statement st, ChromeTraceWriter w, String event, LongUnaryOperator leafOf,
            Progress progress) throws SQLException, IOException {
        long n = 0;
        try (FetchAhead rows = new FetchAhead(st, SAMPLES_SQL)) {
            for (FetchAhead.Batch b; (b = rows.next()) != null; ) {
                long[] cpu = b.longs[0], tid = b.longs[1], ts = b.longs[2], stack = b.longs[3];
                for (int i = 0; i < b.rows; i++)
                    w.sample((int) cpu[i], tid[i], ts[i], event, b.nulls[3][i] ? 0 : leafOf.applyAsLong(stack[i]), 1);
                n += b.rows;
                progress.advance(b.rows);
            }
        }
        return n;
    }

    /**
     * Stack id -> its leaf node (0: unknown). An array for the ids below a
     * bound kept proportional to the number of stacks (the recorder numbers
     * stacks densely from 0, and a boxed map lookup per sample cost ~10% of
     * a big conversion); the map for any others.
     */
    static LongUnaryOperator leafLookup(Map<Long, Long> stackLeaf) {
        long bound = Math.max(1 << 16, 4L * stackLeaf.size());
        long max = stackLeaf.keySet().stream().filter(id -> id >= 0 && id < bound).mapToLong(Long::longValue).max().orElse(-1);
        long[] dense = new long[(int) (max + 1)];
        stackLeaf.forEach((id, leaf) -> {
            if (id >= 0 && id <= max) dense[(int) (long) id] = leaf;
        });
        return id -> id >= 0 && id < dense.length ? dense[(int) id] : stackLeaf.getOrDefault(id, 0L);
    }

    /**
     * The lane (0, 1, ...) a slice goes to: the first whose last slice has
     * ended by ts (slices come in start order), else a new one. ends holds
     * each lane's end and is updated.
     */
    static long lane(List<Long> ends, long ts, long te) {
        for (int i = 0; i < ends.size(); i++) {
            if (ends.get(i) <= ts) {
                ends.set(i, te);
                return i + 1;
            }
        }
        ends.add(te);
        return ends.size();
    }

    private static void names(Statement st, ChromeTraceWriter w) throws SQLException, IOException {
        try (ResultSet rs = st.executeQuery("SELECT pid, any_value(name) AS name FROM processes"
                + " WHERE getvariable('only_pid') IS NULL OR pid = getvariable('only_pid') GROUP BY pid ORDER BY pid")) {
            while (rs.next()) w.processName(rs.getLong(1), rs.getString(2) == null ? "pid " + rs.getLong(1) : rs.getString(2));
        }
        try (ResultSet rs = st.executeQuery("SELECT tid, any_value(pid) AS pid, any_value(name) AS name FROM threads"
                + " WHERE in_report_threads(pid, tid) GROUP BY tid ORDER BY tid")) {
            while (rs.next())
                w.threadName(rs.getLong(2), rs.getLong(1), (rs.getString(3) == null ? "?" : rs.getString(3)) + " " + rs.getLong(1));
        }
    }

    /**
     * The stackFrames tree of the sampled stacks: one node per distinct path
     * from a root, so samples share their common prefixes. Returns the nodes
     * ({name, module, parent node}, node ids from 1) and fills stackLeaf:
     * stack id -> its leaf node.
     */
    private static List<Object[]> stackTree(Statement st, Map<Long, Long> stackLeaf) throws SQLException {
        Map<Long, String[]> frames = Stacks.frameNames(st);
        Map<NodeKey, Long> ids = new HashMap<>();
        List<Object[]> nodes = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT stack_id, frame_ids FROM stacks"
                + " WHERE stack_id IN (SELECT DISTINCT stack_id FROM samples)")) {
            while (rs.next()) {
                long[] leafFirst = Stacks.frameIds(rs.getArray(2));
                long parent = 0;
                for (int i = leafFirst.length - 1; i >= 0; i--) {
                    long frame = leafFirst[i];
                    NodeKey key = new NodeKey(parent, frame);
                    Long id = ids.get(key);
                    if (id == null) {
                        String[] f = frames.getOrDefault(frame, new String[] {"[frame " + frame + "]", null});
                        nodes.add(new Object[] {f[0], f[1], parent});
                        id = (long) nodes.size();
                        ids.put(key, id);
                    }
                    parent = id;
                }
                stackLeaf.put(rs.getLong(1), parent);
            }
        }
        return nodes;
    }
}
