package dev.profiler.formats;

/**
 * Renders the tables of {@link CaptureTable} as the Markdown of
 * docs/capture-format.md (between its "generated" markers), so the document
 * cannot drift from the schemas: a test compares the two.
 * Regenerate: java -cp "formats/target/classes:recorder/target/lib/*" dev.profiler.formats.CaptureFormatDoc
 */
public final class CaptureFormatDoc {
    private CaptureFormatDoc() {}

    public static String tablesMarkdown() {
        StringBuilder sb = new StringBuilder();
        for (CaptureTable t : CaptureTable.values()) {
            sb.append("### ").append(t.tableName()).append("\n\n");
            sb.append(capitalize(t.description())).append(". File: `").append(t.fileName()).append("`.\n\n");
            sb.append("| column | type | null | meaning |\n|---|---|---|---|\n");
            for (Column c : t.columns()) {
                sb.append("| ").append(c.name()).append(" | ").append(typeName(c.kind())).append(" | ")
                    .append(c.nullable() ? "yes" : "no").append(" | ").append(c.doc().replace("|", "\\|")).append(" |\n");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String typeName(Column.Kind k) {
        return switch (k) {
            case INT64 -> "int64";
            case INT32 -> "int32";
            case INT16 -> "int16";
            case BOOL -> "bool";
            case STRING -> "utf8";
            case DICT_STRING -> "utf8 (dictionary)";
            case INT64_LIST -> "list<int64>";
        };
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    public static void main(String[] args) {
        System.out.print(tablesMarkdown());
    }
}
