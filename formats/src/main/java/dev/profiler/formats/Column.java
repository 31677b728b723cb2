package dev.profiler.formats;

import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * One column of a capture table: its Arrow type, whether it may be null,
 * whether its (string) values are dictionary-encoded, and what it means.
 * The doc string is the unit and meaning users see in docs/capture-format.md.
 */
public record Column(String name, Kind kind, boolean nullable, String doc) {

    /** The few value kinds a capture uses; each maps to one Arrow type. */
    public enum Kind {
        INT64, INT32, INT16, BOOL,
        STRING,        // plain UTF-8: values mostly distinct (function names)
        DICT_STRING,   // dictionary-encoded UTF-8: values repeat (paths, names)
        INT64_LIST     // list<int64> (frame ids of a stack)
    }

    public static Column required(String name, Kind kind, String doc) {
        return new Column(name, kind, false, doc);
    }

    public static Column optional(String name, Kind kind, String doc) {
        return new Column(name, kind, true, doc);
    }

    ArrowType arrowType() {
        return switch (kind) {
            case INT64 -> new ArrowType.Int(64, true);
            case INT32 -> new ArrowType.Int(32, true);
            case INT16 -> new ArrowType.Int(16, true);
            case BOOL -> ArrowType.Bool.INSTANCE;
            case STRING, DICT_STRING -> ArrowType.Utf8.INSTANCE;
            case INT64_LIST -> ArrowType.List.INSTANCE;
        };
    }
}
