package dev.profiler.formats.chrome;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes Chrome's Trace Event Format (the JSON that Perfetto UI and
 * chrome://tracing open) as it goes, in three parts, each written in time
 * order by the caller: "traceEvents" (metadata, then complete "X" slices),
 * then "samples" (CPU samples pointing into stackFrames), then
 * "stackFrames". Timestamps are microseconds from an origin, written with
 * their nanoseconds as three decimals (no rounding through a double).
 * Jackson's generator writes all but the samples' records, which are the
 * bulk of a big trace and go through SampleRecords.
 */
public final class ChromeTraceWriter implements AutoCloseable {
    private enum Part { EVENTS, SAMPLES, FRAMES, DONE }

    // Field names and fixed values encoded once: a big trace writes them tens of millions of times.
    private static final SerializableString PH = new SerializedString("ph"), NAME = new SerializedString("name"),
        CAT = new SerializedString("cat"), PID = new SerializedString("pid"), TID = new SerializedString("tid"),
        TS = new SerializedString("ts"), DUR = new SerializedString("dur"), ARGS = new SerializedString("args"),
        X = new SerializedString("X");

    private final JsonGenerator json;
    private final SampleRecords samples;
    private final long originNs;
    /** Slice names and categories repeat (states, reasons, lock names): each encoded once. */
    private final Map<String, SerializableString> encoded = new HashMap<>();
    private Part part = Part.EVENTS;
    private boolean inArgs;

    public ChromeTraceWriter(OutputStream out, long originNs) throws IOException {
        this.originNs = originNs;
        json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
        samples = new SampleRecords(out);
        json.writeStartObject();
        json.writeStringField("displayTimeUnit", "ms");
        json.writeArrayFieldStart("traceEvents");
    }

    /** Names a process (metadata event). */
    public void processName(long pid, String name) throws IOException {
        metadata("process_name", pid, null, name);
    }

    /** Names a thread (metadata event). */
    public void threadName(long pid, long tid, String name) throws IOException {
        metadata("thread_name", pid, tid, name);
    }

    private void metadata(String what, long pid, Long tid, String name) throws IOException {
        expect(Part.EVENTS);
        json.writeStartObject();
        json.writeStringField("ph", "M");
        json.writeStringField("name", what);
        json.writeNumberField("pid", pid);
        if (tid != null) json.writeNumberField("tid", tid);
        json.writeObjectFieldStart("args");
        json.writeStringField("name", name);
        json.writeEndObject();
        json.writeEndObject();
    }

    /**
     * Opens a complete slice ("X") on a thread's track; its args follow
     * (arg), then endSlice. Streamed so that millions of slices cost no
     * allocation. Names and categories repeat and are encoded once.
     */
    public void beginSlice(long pid, long tid, String name, String category, long beginNs, long endNs) throws IOException {
        expect(Part.EVENTS);
        json.writeStartObject();
        json.writeFieldName(PH);
        json.writeString(X);
        json.writeFieldName(NAME);
        json.writeString(encoded(name));
        json.writeFieldName(CAT);
        json.writeString(encoded(category));
        json.writeFieldName(PID);
        json.writeNumber(pid);
        json.writeFieldName(TID);
        json.writeNumber(tid);
        json.writeFieldName(TS);
        micros(beginNs - originNs);
        json.writeFieldName(DUR);
        micros(endNs - beginNs);
        inArgs = false;
    }

    /** A number arg of the open slice. */
    public void arg(SerializableString key, long value) throws IOException {
        openArgs();
        json.writeFieldName(key);
        json.writeNumber(value);
    }

    /** A string arg of the open slice; null leaves it out. */
    public void arg(SerializableString key, String value) throws IOException {
        if (value == null) return;
        openArgs();
        json.writeFieldName(key);
        json.writeString(value);
    }

    private void openArgs() throws IOException {
        if (inArgs) return;
        json.writeFieldName(ARGS);
        json.writeStartObject();
        inArgs = true;
    }

    public void endSlice() throws IOException {
        if (inArgs) json.writeEndObject();
        inArgs = false;
        json.writeEndObject();
    }

    /** A CPU sample whose stack is stackFrames node `frameNode` (0: none). */
    public void sample(int cpu, long tid, long tsNs, String event, long frameNode, long weight) throws IOException {
        if (part == Part.EVENTS) {
            json.writeEndArray();
            json.writeArrayFieldStart("samples");
            json.flush(); // the records go straight to the stream, after what the generator holds
            part = Part.SAMPLES;
        }
        expect(Part.SAMPLES);
        samples.write(cpu, tid, tsNs - originNs, event, frameNode, weight);
    }

    /** Leaves the samples array: what SampleRecords buffered goes out before the generator writes again. */
    private void endSamples() throws IOException {
        samples.flush();
        json.writeEndArray(); // the generator saw no element, so it writes no separator either
    }

    /** A stackFrames node: a frame under its parent node (0: a root). */
    public void stackFrame(long node, String name, String category, long parent) throws IOException {
        if (part == Part.EVENTS) {
            json.writeEndArray();
            part = Part.SAMPLES;
        }
        if (part == Part.SAMPLES) {
            if (json.getOutputContext().inArray()) endSamples();
            json.writeObjectFieldStart("stackFrames");
            part = Part.FRAMES;
        }
        json.writeObjectFieldStart(Long.toString(node));
        json.writeStringField("name", name);
        if (category != null) json.writeStringField("category", category);
        if (parent != 0) json.writeStringField("parent", Long.toString(parent));
        json.writeEndObject();
    }

    /** The string encoded once (a bounded number of them). */
    private SerializableString encoded(String s) {
        SerializableString e = encoded.get(s);
        if (e == null) {
            e = new SerializedString(s);
            if (encoded.size() < 10_000) encoded.put(s, e);
        }
        return e;
    }

    private void expect(Part p) {
        if (part != p) throw new IllegalStateException("trace parts go events, samples, stack frames: " + p + " after " + part);
    }

    private final char[] number = new char[24];

    /** ns as microseconds with three decimals, exactly (digits written by hand: no String per number). */
    private void micros(long ns) throws IOException {
        long abs = Math.abs(ns), whole = abs / 1000, frac = abs % 1000;
        int end = number.length, i = end;
        number[--i] = (char) ('0' + frac % 10);
        number[--i] = (char) ('0' + frac / 10 % 10);
        number[--i] = (char) ('0' + frac / 100);
        number[--i] = '.';
        do {
            number[--i] = (char) ('0' + whole % 10);
            whole /= 10;
        } while (whole > 0);
        if (ns < 0) number[--i] = '-';
        json.writeNumber(number, i, end - i);
    }

    @Override
    public void close() throws IOException {
        if (part == Part.EVENTS) json.writeEndArray();
        if (part == Part.SAMPLES && json.getOutputContext().inArray()) endSamples();
        if (part == Part.FRAMES) json.writeEndObject();
        json.writeEndObject();
        json.close();
        part = Part.DONE;
    }
}
