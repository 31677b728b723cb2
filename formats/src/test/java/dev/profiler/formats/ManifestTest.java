package dev.profiler.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest is written by hand (ManifestJson) and read by databind: both
 * must agree on every field, including fields added later, so the manifest
 * here has every public field set, found by reflection.
 */
class ManifestTest {
    private static final ObjectMapper DATABIND = new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);

    @TempDir Path dir;
    private int next = 1;

    @Test
    void everyFieldIsWrittenAsDatabindWritesIt() throws Exception {
        Manifest m = new Manifest();
        fill(m);
        assertEquals(DATABIND.writeValueAsString(m), written(m));
    }

    @Test
    void nullsAreLeftOutAsDatabindLeavesThemOut() throws Exception {
        Manifest m = new Manifest();
        m.options.command = null;
        m.counters.emittedPerCpu.put("samples", List.of(1L, 2L));
        assertEquals(DATABIND.writeValueAsString(m), written(m));
    }

    @Test
    void whatIsWrittenReadsBackWithEveryValue() throws Exception {
        Manifest m = new Manifest();
        fill(m);
        m.write(dir);
        Manifest back = Manifest.read(dir);
        assertEquals(DATABIND.writeValueAsString(m), DATABIND.writeValueAsString(back));
    }

    @Test
    void namesAreSnakeCase() {
        assertEquals("wall_clock_offset_ns", ManifestJson.snakeCase("wallClockOffsetNs"));
        assertEquals("recorder_cpu_ns", ManifestJson.snakeCase("recorderCpuNs"));
        assertEquals("complete", ManifestJson.snakeCase("complete"));
    }

    private static String written(Manifest m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ManifestJson.write(m, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Sets every public instance field to a value of its type, distinct from the others. */
    private void fill(Object o) throws Exception {
        for (Field f : o.getClass().getDeclaredFields()) {
            if (!Modifier.isPublic(f.getModifiers()) || Modifier.isStatic(f.getModifiers())) continue;
            f.set(o, valueOf(f.getGenericType()));
        }
    }

    private Object valueOf(Type t) throws Exception {
        if (t == String.class) return "s" + next++;
        if (t == int.class || t == Integer.class) return next++;
        if (t == long.class || t == Long.class) return (long) next++ << 33; // past int's range
        if (t == boolean.class || t == Boolean.class) return true;
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            List<Object> l = new ArrayList<>();
            l.add(valueOf(p.getActualTypeArguments()[0]));
            l.add(valueOf(p.getActualTypeArguments()[0]));
            return l;
        }
        if (t instanceof ParameterizedType p && p.getRawType() == Map.class) {
            Map<Object, Object> map = new LinkedHashMap<>();
            map.put("k" + next++, valueOf(p.getActualTypeArguments()[1]));
            map.put("k" + next++, valueOf(p.getActualTypeArguments()[1]));
            return map;
        }
        if (t instanceof Class<?> c && c.getEnclosingClass() == Manifest.class) {
            Object nested = c.getConstructor().newInstance();
            fill(nested);
            return nested;
        }
        throw new AssertionError("ManifestTest cannot fill a field of type " + t);
    }
}
