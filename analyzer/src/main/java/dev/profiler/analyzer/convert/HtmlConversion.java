package dev.profiler.analyzer.convert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import dev.profiler.analyzer.CaptureDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTML report: one self-contained page (resources/html/report.html, no
 * network) with a CPU flame graph (zoom, search), the stalls on a timeline
 * and in a table, and the lock table. The data is a JSON block inside the
 * page, built here: the flame graph's tree from profile_stacks('cpu'),
 * the longest MAX_STALLS stalls, the MAX_LOCKS most waited-for locks. The
 * report filters (DuckDB variables) apply.
 *
 * The flame tree is pruned of frames under 1/MIN_SHARE of all samples (as
 * flamegraph.pl's --minwidth does): on a big capture the full tree would
 * make a page no browser draws, and such frames are under a pixel wide.
 */
public final class HtmlConversion {
    private HtmlConversion() {}

    static final int MAX_STALLS = 5000, MAX_LOCKS = 100;
    static final long MIN_SHARE = 10_000;

    static final String FLAME_SQL = """
        SELECT CASE WHEN w.pid = 0 THEN 'idle' ELSE coalesce(p.name, 'pid ' || w.pid) END AS process,
               st.frame_ids, sum(w.count) AS samples
        FROM profile_stacks('cpu') w
        LEFT JOIN stacks st USING (stack_id)
        LEFT JOIN (SELECT pid, any_value(name) AS name FROM processes GROUP BY pid) p ON p.pid = w.pid
        GROUP BY ALL""";

    static final String STALLS_SQL = """
        SELECT * FROM (
          SELECT kind, wait_kind, ts_begin, ts_end, cpu, cpus, tid, thread, cause, stack
          FROM stalls(threshold_ns := coalesce(getvariable('threshold_ns'), 50000000),
                      include_idle := coalesce(getvariable('include_idle'), false))
          WHERE (in_report_threads(pid, tid) OR kind = 'freeze') AND in_report_range(ts_begin, ts_end)
          ORDER BY ts_end - ts_begin DESC LIMIT ?)
        ORDER BY ts_begin, kind""";

    static final String LOCKS_SQL = """
        SELECT lock, lock_type, waits, waiters, total_wait_ns, max_wait_ns, spin_ns, blocked_ns, top_waiters, top_stack
        FROM lock_time(only_pid := getvariable('only_pid'), only_tid := getvariable('only_tid'),
                       from_ns := getvariable('from_ns'), to_ns := getvariable('to_ns'))
        ORDER BY total_wait_ns DESC LIMIT ?""";

    /** A flame graph node: name, samples under it, children by name. */
    static final class Node {
        final String name;
        long value;
        final Map<String, Node> children = new LinkedHashMap<>();

        Node(String name) { this.name = name; }

        Node child(String n) { return children.computeIfAbsent(n, Node::new); }
    }

    /** Writes the page; returns {flame samples, stalls shown, locks shown}. */
    public static long[] write(CaptureDatabase db, String name, double thresholdMs, OutputStream out)
            throws SQLException, IOException {
        Node root = new Node("all");
        long stalls = 0, locks = 0;
        StringWriter jsonText = new StringWriter();
        JsonFactory factory = new JsonFactory();
        factory.setCharacterEscapes(new HtmlSafeEscapes());
        try (Statement st = db.connection().createStatement(); JsonGenerator json = factory.createGenerator(jsonText)) {
            Map<Long, String[]> frames = Stacks.frameNames(st);
            try (ResultSet rs = st.executeQuery(FLAME_SQL)) {
                while (rs.next()) {
                    long samples = rs.getLong("samples");
                    Node n = root.child(rs.getString("process"));
                    root.value += samples;
                    n.value += samples;
                    long[] leafFirst = Stacks.frameIds(rs.getArray("frame_ids"));
                    for (int i = leafFirst.length - 1; i >= 0; i--) {
                        String[] f = frames.get(leafFirst[i]);
                        n = n.child(f != null ? f[0] : "[frame " + leafFirst[i] + "]");
                        n.value += samples;
                    }
                }
            }
            long startNs = db.manifest().startNs;
            long endNs;
            try (ResultSet rs = st.executeQuery("SELECT end_ns, cpu_count, event_source, frequency_hz FROM capture_info")) {
                rs.next();
                endNs = rs.getLong(1);
                json.writeStartObject();
                json.writeStringField("title", "profiler report: " + name);
                json.writeStringField("summary", String.format("%.2f s recorded, %,d CPU samples (%s, %d Hz), %d CPUs",
                    (endNs - startNs) / 1e9, root.value, rs.getString(3), rs.getInt(4), rs.getInt(2)));
            }
            json.writeNumberField("start_ns", startNs);
            json.writeNumberField("end_ns", endNs);
            json.writeNumberField("threshold_ms", thresholdMs);
            json.writeFieldName("flame");
            writeNode(json, root, Math.max(1, root.value / MIN_SHARE));
            json.writeArrayFieldStart("stalls");
            try (PreparedStatement ps = db.connection().prepareStatement(STALLS_SQL)) {
                ps.setInt(1, MAX_STALLS);
                stalls = writeRows(json, ps);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("locks");
            try (PreparedStatement ps = db.connection().prepareStatement(LOCKS_SQL)) {
                ps.setInt(1, MAX_LOCKS);
                locks = writeRows(json, ps);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        String page = template().replace("__TITLE__", htmlEscape("profiler report: " + name))
            .replace("__DATA__", jsonText.toString());
        out.write(page.getBytes(StandardCharsets.UTF_8));
        return new long[] {root.value, stalls, locks};
    }

    /** Children under minValue samples are left out (they would be under a pixel wide). */
    private static void writeNode(JsonGenerator json, Node n, long minValue) throws IOException {
        json.writeStartObject();
        json.writeStringField("n", n.name);
        json.writeNumberField("v", n.value);
        List<Node> kept = new ArrayList<>();
        for (Node c : n.children.values()) if (c.value >= minValue) kept.add(c);
        if (!kept.isEmpty()) {
            kept.sort((a, b) -> a.name.compareTo(b.name));
            json.writeArrayFieldStart("c");
            for (Node c : kept) writeNode(json, c, minValue);
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    /** Each row as an object of its columns (lists as arrays); returns the row count. */
    private static long writeRows(JsonGenerator json, PreparedStatement ps) throws SQLException, IOException {
        long n = 0;
        try (ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                json.writeStartObject();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    json.writeFieldName(md.getColumnLabel(i));
                    if (v == null) json.writeNull();
                    else if (v instanceof Array a) {
                        json.writeStartArray();
                        for (Object item : (Object[]) a.getArray()) json.writeNumber(((Number) item).longValue());
                        json.writeEndArray();
                    } else if (v instanceof Number num) {
                        if (num instanceof Double || num instanceof Float) json.writeNumber(num.doubleValue());
                        else json.writeNumber(num.longValue());
                    } else json.writeString(v.toString());
                }
                json.writeEndObject();
                n++;
            }
        }
        return n;
    }

    private static String template() throws IOException {
        try (InputStream in = HtmlConversion.class.getClassLoader().getResourceAsStream("html/report.html")) {
            if (in == null) throw new IOException("missing resource html/report.html");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String htmlEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** JSON that is safe inside a script element: '<', '>' and '&' as \\u escapes, so no "</script>" ends it. */
    private static final class HtmlSafeEscapes extends CharacterEscapes {
        private final int[] escapes = standardAsciiEscapesForJSON();

        HtmlSafeEscapes() {
            escapes['<'] = ESCAPE_STANDARD;
            escapes['>'] = ESCAPE_STANDARD;
            escapes['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() { return escapes; }

        @Override
        public SerializableString getEscapeSequence(int ch) { return null; }
    }
}
