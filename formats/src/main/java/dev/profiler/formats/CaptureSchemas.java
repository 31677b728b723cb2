package dev.profiler.formats;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Arrow fields of the capture tables, derived from {@link CaptureTable}. No
 * {@code pojo.Schema}: its class initializer is costly (see IpcStreamOut).
 */
public final class CaptureSchemas {
    private static final ArrowType.Int DICT_INDEX = new ArrowType.Int(32, true);

    private CaptureSchemas() {}

    /** Dictionary id of a dictionary-encoded column: its position. Ids are
     *  per file, and every table is its own file. */
    public static long dictionaryId(int columnIndex) {
        return columnIndex;
    }

    /**
     * The fields as an IPC stream's schema message states them: a
     * dictionary-encoded column has its dictionary's type (UTF-8) with the
     * encoding, where the in-memory field has the index type.
     */
    static List<Field> messageFields(CaptureTable table) {
        List<Field> fields = new ArrayList<>();
        List<Column> columns = table.columns();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            Field f = field(c, i);
            fields.add(c.kind() != Column.Kind.DICT_STRING ? f
                : new Field(c.name(), new FieldType(c.nullable(), ArrowType.Utf8.INSTANCE, f.getDictionary()), List.of()));
        }
        return fields;
    }

    static Field field(Column c, int index) {
        if (c.kind() == Column.Kind.DICT_STRING) {
            DictionaryEncoding enc = new DictionaryEncoding(dictionaryId(index), false, DICT_INDEX);
            return new Field(c.name(), new FieldType(c.nullable(), DICT_INDEX, enc), null);
        }
        if (c.kind() == Column.Kind.INT64_LIST) {
            Field item = new Field("item", FieldType.notNullable(new ArrowType.Int(64, true)), null);
            return new Field(c.name(), new FieldType(c.nullable(), ArrowType.List.INSTANCE, null), List.of(item));
        }
        return new Field(c.name(), new FieldType(c.nullable(), c.arrowType(), null), null);
    }

    /** The field of a dictionary's own values (UTF-8 strings). */
    static Field dictionaryValuesField(Column c) {
        return new Field(c.name() + "_dictionary", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null);
    }
}
