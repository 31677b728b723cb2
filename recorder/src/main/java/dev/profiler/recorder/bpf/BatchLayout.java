package dev.profiler.recorder.bpf;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.Column;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The tables a batch fills, as the shim defines them (bpf/profiler.h,
 * PROF_BATCH_TABLES): each one's capture table and its columns' names and
 * widths, read from the shim once. Java keeps no copy of a width or a column
 * index; {@link #differences} compares the shim's view with the capture
 * tables', because a width that disagreed would shift every value after it
 * and pass silently.
 */
public final class BatchLayout {
    /** A batch table: its index in the shim, its capture table, its columns (capture ones first). */
    public record Table(int index, String name, CaptureTable capture, List<String> columns, int[] widths) {
        /** Position of a column by name; IllegalArgumentException if the shim has none of that name. */
        public int column(String columnName) {
            int i = columns.indexOf(columnName);
            if (i < 0) throw new IllegalArgumentException("the shim's " + name + " table has no column " + columnName);
            return i;
        }

        /** The leading columns that are written to the capture; the rest ('_' names) are the shim's aids to Java. */
        public int captureColumns() {
            int n = 0;
            while (n < columns.size() && !columns.get(n).startsWith("_")) n++;
            return n;
        }
    }

    private static volatile BatchLayout shim;

    private final List<Table> tables;
    private final Map<CaptureTable, Table> byCapture = new EnumMap<>(CaptureTable.class);

    BatchLayout(List<Table> tables) {
        this.tables = List.copyOf(tables);
        for (Table t : tables)
            if (t.capture() != null) byCapture.put(t.capture(), t);
    }

    /** The loaded shim's layout (after BpfSession.library()). */
    static BatchLayout shim() {
        BatchLayout l = shim;
        if (l == null) shim = l = read();
        return l;
    }

    private static BatchLayout read() {
        List<Table> tables = new ArrayList<>();
        int n = ShimLibrary.pshim_table_count();
        for (int t = 0; t < n; t++) {
            String name = ShimLibrary.pshim_table_name(t);
            int count = ShimLibrary.pshim_column_count(t);
            List<String> columns = new ArrayList<>();
            int[] widths = new int[count];
            for (int c = 0; c < count; c++) {
                columns.add(ShimLibrary.pshim_column_name(t, c));
                widths[c] = ShimLibrary.pshim_column_width(t, c);
            }
            tables.add(new Table(t, name, captureTable(name), columns, widths));
        }
        return new BatchLayout(tables);
    }

    static CaptureTable captureTable(String name) {
        for (CaptureTable c : CaptureTable.values())
            if (c.tableName().equals(name)) return c;
        return null;
    }

    public List<Table> tables() { return tables; }

    /** The batch table that fills a capture table, or null if none does. */
    public Table table(CaptureTable capture) { return byCapture.get(capture); }

    /**
     * Where the shim's tables differ from the capture tables: an unknown
     * table, a column missing, renamed, out of order or of another width.
     * Empty when they agree.
     */
    public List<String> differences() {
        List<String> out = new ArrayList<>();
        for (Table t : tables) {
            if (t.capture() == null) {
                out.add("the shim fills a table " + t.name() + " that no capture table is named after");
                continue;
            }
            List<Column> want = t.capture().columns();
            int have = t.captureColumns();
            for (int c = have; c < t.columns().size(); c++)
                if (!t.columns().get(c).startsWith("_"))
                    out.add(t.name() + "." + t.columns().get(c) + " comes after the shim's own '_' columns");
            for (int c = 0; c < Math.max(want.size(), have); c++) {
                if (c >= have) {
                    out.add(t.name() + "." + want.get(c).name() + " is missing from the shim's columns");
                } else if (c >= want.size()) {
                    out.add(t.name() + "." + t.columns().get(c) + " is not a column of the capture table");
                } else if (!want.get(c).name().equals(t.columns().get(c))) {
                    out.add(t.name() + " column " + c + " is " + t.columns().get(c) + " in the shim, "
                        + want.get(c).name() + " in the capture table");
                } else if (width(want.get(c).kind()) != t.widths()[c]) {
                    out.add(t.name() + "." + want.get(c).name() + " is " + t.widths()[c] + " bytes a value in the shim, "
                        + (width(want.get(c).kind()) < 0 ? "but a " + want.get(c).kind() + " column cannot be copied from one"
                            : width(want.get(c).kind()) + " for its " + want.get(c).kind() + " capture column"));
                }
            }
        }
        return out;
    }

    /** Bytes per value the shim must hand over for a column kind (a dictionary column: an int index); -1: none. */
    static int width(Column.Kind kind) {
        return switch (kind) {
            case INT64 -> 8;
            case INT32, DICT_STRING -> 4;
            case INT16 -> 2;
            case BOOL -> 1;
            case STRING, INT64_LIST -> -1;
        };
    }
}
