package dev.profiler.formats.chrome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The trace parses, and every number written by hand reads back as written, at the edges of its digits. */
class ChromeTraceWriterTest {
    @Test
    void handWrittenSampleRecordsReadBackExactly() throws Exception {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 99L, 100L, 101L, 999L, 1000L, 123456789L,
            999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE));
        Random rnd = new Random(7);
        for (int i = 0; i < 2000; i++) values.add(rnd.nextLong() >>> rnd.nextInt(64));
        long origin = 1_000_000;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ChromeTraceWriter w = new ChromeTraceWriter(out, origin)) {
            w.threadName(1, 2, "t \"quoted\"");
            w.beginSlice(1, 2, "running", "thread state", origin - 1500, origin + 2500);
            w.arg(new SerializedString("cpu"), 3);
            w.endSlice();
            for (int i = 0; i < values.size(); i++) {
                long v = values.get(i);
                // ts: a value past the origin, and (every other one) before it
                long ts = i % 2 == 0 ? origin + v % 4_000_000_000_000_000_000L : origin - v % 1_000_000_000L;
                w.sample(i % 4, v, ts, "cpu-clock \"x\"", i % 3 == 0 ? 0 : v, v);
            }
            w.stackFrame(1, "main", null, 0);
        }
        // decimals as written (a double would round the ns away)
        JsonNode trace = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(out.toByteArray());
        JsonNode slice = trace.get("traceEvents").get(1);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"ts\":-1.500,\"dur\":4.000,"), "µs with three decimals");
        assertExactly(new BigDecimal("-1.500"), slice.get("ts"));
        JsonNode samples = trace.get("samples");
        assertEquals(values.size(), samples.size());
        for (int i = 0; i < values.size(); i++) {
            long v = values.get(i);
            JsonNode s = samples.get(i);
            long ts = i % 2 == 0 ? v % 4_000_000_000_000_000_000L : -(v % 1_000_000_000L);
            assertEquals(i % 4, s.get("cpu").asLong());
            assertEquals(v, s.get("tid").asLong(), "tid " + v);
            assertExactly(BigDecimal.valueOf(ts, 3), s.get("ts"));
            assertEquals("cpu-clock \"x\"", s.get("name").asText());
            assertEquals(i % 3 == 0 || v == 0 ? null : v, s.has("sf") ? s.get("sf").asLong() : null, "node 0 is none");
            assertEquals(v, s.get("weight").asLong());
        }
        assertEquals("main", trace.get("stackFrames").get("1").get("name").asText());
    }

    static void assertExactly(BigDecimal expected, JsonNode number) {
        assertEquals(0, expected.compareTo(number.decimalValue()), expected + " read as " + number.decimalValue());
    }
}
