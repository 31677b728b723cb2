package dev.profiler.analyzer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Prints a query result as an aligned table, CSV (RFC 4180) or JSON (an array of objects). */
public final class ResultPrinter {
    public enum Format { TABLE, CSV, JSON }

    /** Table output keeps at most this many rows in memory to align columns. */
    static final int TABLE_MAX_ROWS = 10_000;

    private ResultPrinter() {}

    public static long print(ResultSet rs, Format format, PrintStream out) throws SQLException, IOException {
        return switch (format) {
            case TABLE -> table(rs, out);
            case CSV -> csv(rs, out);
            case JSON -> json(rs, out);
        };
    }

    private static String[] names(ResultSetMetaData md) throws SQLException {
        String[] n = new String[md.getColumnCount()];
        for (int i = 0; i < n.length; i++) n[i] = md.getColumnLabel(i + 1);
        return n;
    }

    static String text(Object v) throws SQLException {
        if (v == null) return "";
        if (v instanceof Array a) {
            Object[] items = (Object[]) a.getArray();
            return Arrays.toString(items);
        }
        if (v instanceof Double d) return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        if (v instanceof BigDecimal b) return b.stripTrailingZeros().toPlainString();
        return v.toString();
    }

    private static long table(ResultSet rs, PrintStream out) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        String[] names = names(md);
        int[] width = new int[names.length];
        boolean[] numeric = new boolean[names.length];
        for (int i = 0; i < names.length; i++) {
            width[i] = names[i].length();
            int t = md.getColumnType(i + 1);
            numeric[i] = t == java.sql.Types.BIGINT || t == java.sql.Types.INTEGER || t == java.sql.Types.SMALLINT
                || t == java.sql.Types.DOUBLE || t == java.sql.Types.DECIMAL || t == java.sql.Types.FLOAT
                || t == java.sql.Types.TINYINT || t == java.sql.Types.NUMERIC || t == java.sql.Types.REAL;
        }
        List<String[]> rows = new ArrayList<>();
        long count = 0;
        while (rs.next()) {
            count++;
            if (rows.size() >= TABLE_MAX_ROWS) continue;
            String[] r = new String[names.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = text(rs.getObject(i + 1));
                width[i] = Math.min(Math.max(width[i], r[i].length()), 120);
            }
            rows.add(r);
        }
        out.println(line(names, width, new boolean[names.length]));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < width.length; i++) rule.append(i > 0 ? "  " : "").append("-".repeat(width[i]));
        out.println(rule);
        for (String[] r : rows) out.println(line(r, width, numeric));
        if (count > rows.size())
            out.println("(" + count + " rows, first " + rows.size() + " shown; use --format csv for all)");
        else
            out.println("(" + count + (count == 1 ? " row)" : " rows)"));
        return count;
    }

    private static String line(String[] cells, int[] width, boolean[] rightAlign) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i].length() > width[i] ? cells[i].substring(0, width[i] - 1) + "…" : cells[i];
            if (i > 0) sb.append("  ");
            String pad = " ".repeat(width[i] - c.length());
            sb.append(rightAlign[i] ? pad + c : (i == cells.length - 1 ? c : c + pad));
        }
        return sb.toString();
    }

    private static long csv(ResultSet rs, PrintStream out) throws SQLException {
        String[] names = names(rs.getMetaData());
        out.println(csvLine(names));
        long count = 0;
        String[] r = new String[names.length];
        while (rs.next()) {
            for (int i = 0; i < r.length; i++) r[i] = text(rs.getObject(i + 1));
            out.println(csvLine(r));
            count++;
        }
        return count;
    }

    static String csvLine(String[] cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) sb.append(',');
            String c = cells[i];
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0)
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            else
                sb.append(c);
        }
        return sb.toString();
    }

    private static long json(ResultSet rs, PrintStream out) throws SQLException, IOException {
        String[] names = names(rs.getMetaData());
        long count = 0;
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartArray();
            while (rs.next()) {
                g.writeStartObject();
                for (int i = 0; i < names.length; i++) {
                    g.writeFieldName(names[i]);
                    writeJson(g, rs.getObject(i + 1));
                }
                g.writeEndObject();
                count++;
            }
            g.writeEndArray();
        }
        out.println();
        return count;
    }

    private static void writeJson(JsonGenerator g, Object v) throws IOException, SQLException {
        if (v == null) g.writeNull();
        else if (v instanceof Long l) g.writeNumber(l);
        else if (v instanceof Integer i) g.writeNumber(i);
        else if (v instanceof Short s) g.writeNumber(s);
        else if (v instanceof Double d) g.writeNumber(d);
        else if (v instanceof Float f) g.writeNumber(f);
        else if (v instanceof BigDecimal b) g.writeNumber(b);
        else if (v instanceof java.math.BigInteger b) g.writeNumber(b);
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else if (v instanceof Array a) {
            g.writeStartArray();
            for (Object o : (Object[]) a.getArray()) writeJson(g, o);
            g.writeEndArray();
        } else g.writeString(v.toString());
    }
}
