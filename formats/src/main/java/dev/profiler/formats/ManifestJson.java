package dev.profiler.formats;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Manifest} the way Jackson databind would (snake_case
 * names, nulls left out, indented), with jackson-core's generator and the
 * manifest's public fields. Why not databind: its first use (an
 * ObjectMapper, then the bean introspection of each manifest class) was
 * ~0.07 CPU-s of the recorder's start (bench/start-cost), twice what the
 * rest of writing a manifest costs. Reading stays with databind: ManifestTest
 * checks that databind writes the same text and reads it back.
 */
final class ManifestJson {
    private static final JsonFactory JSON = new JsonFactory();

    private ManifestJson() {}

    static void write(Manifest m, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            object(g, m);
        }
    }

    /** Public instance fields in declaration order, as databind orders them. */
    private static void object(JsonGenerator g, Object o) throws IOException {
        g.writeStartObject();
        for (Field f : o.getClass().getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isPublic(mod) || Modifier.isStatic(mod)) continue;
            Object v;
            try {
                v = f.get(o);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e); // public fields of public classes
            }
            if (v == null) continue;
            g.writeFieldName(snakeCase(f.getName()));
            value(g, v);
        }
        g.writeEndObject();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v instanceof String s) g.writeString(s);
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else if (v instanceof Integer i) g.writeNumber(i);
        else if (v instanceof Long l) g.writeNumber(l);
        else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object x : list) {
                if (x == null) g.writeNull();
                else value(g, x);
            }
            g.writeEndArray();
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                if (e.getValue() == null) g.writeNull();
                else value(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v.getClass().getEnclosingClass() == Manifest.class) object(g, v);
        else throw new IllegalArgumentException("manifest: no JSON form for " + v.getClass().getSimpleName());
    }

    /** databind's SNAKE_CASE: an underscore before each upper-case letter that follows a lower-case one or a digit, all lower case. */
    static String snakeCase(String name) {
        StringBuilder b = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && !Character.isUpperCase(name.charAt(i - 1)) && name.charAt(i - 1) != '_') b.append('_');
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
