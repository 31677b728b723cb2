package dev.profiler.formats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.dictionary.Dictionary;

/**
 * Row-at-a-time view of a table, decoding dictionaries: for tests, small
 * tables and encoders that need a row rather than a column. Values are Long,
 * Integer, Short, Boolean, String, long[] or null.
 */
public final class TableRows {
    private TableRows() {}

    public static void forEach(TableReader reader, Consumer<Object[]> row) throws IOException {
        CaptureTable t = reader.table();
        int n = t.columns().size();
        while (reader.loadNextBatch()) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            ValueVector[] cols = new ValueVector[n];
            for (int c = 0; c < n; c++) {
                FieldVector v = root.getVector(c);
                var enc = v.getField().getDictionary();
                if (enc != null) {
                    Dictionary d = reader.getDictionaryVectors().get(enc.getId());
                    cols[c] = d.getVector();
                }
            }
            for (int r = 0; r < root.getRowCount(); r++) {
                Object[] values = new Object[n];
                for (int c = 0; c < n; c++) values[c] = value(root.getVector(c), cols[c], r);
                row.accept(values);
            }
        }
    }

    public static List<Object[]> readAll(TableReader reader) throws IOException {
        List<Object[]> rows = new ArrayList<>();
        forEach(reader, rows::add);
        return rows;
    }

    private static Object value(FieldVector v, ValueVector dictionary, int r) {
        if (v.isNull(r)) return null;
        if (dictionary != null) return dictionary.getObject(((IntVector) v).get(r)).toString();
        if (v instanceof ListVector list) {
            List<?> items = list.getObject(r);
            long[] out = new long[items.size()];
            for (int i = 0; i < out.length; i++) out[i] = ((Number) items.get(i)).longValue();
            return out;
        }
        Object o = v.getObject(r);
        if (o instanceof org.apache.arrow.vector.util.Text text) return text.toString();
        return o;
    }
}
