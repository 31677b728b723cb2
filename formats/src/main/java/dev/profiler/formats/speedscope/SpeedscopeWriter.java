package dev.profiler.formats.speedscope;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a speedscope file (https://www.speedscope.app/file-format-schema.json)
 * as it goes: one "sampled" profile per thread, its stacks written the moment
 * they are given. JSON objects are unordered, so "profiles" comes first and
 * "shared.frames" last, holding only the frames the samples used; memory
 * holds those frames and one profile's weights (stacks repeated back to back
 * are merged into one sample of their summed weight), never the samples.
 */
public final class SpeedscopeWriter implements AutoCloseable {
    /** What speedscope shows of a frame. */
    public record Frame(String name, String file, Integer line) {}

    private final JsonGenerator json;
    private final Map<Long, Integer> frameIndex = new HashMap<>();
    private final List<Frame> frames = new ArrayList<>();
    private final String name;
    private boolean inProfile;
    private long[] weights = new long[1024];
    private int weightCount;
    private int[] lastStack;
    private long startValue, endValue;

    /** @param name the file's name, shown in speedscope's title */
    public SpeedscopeWriter(OutputStream out, String name) throws IOException {
        this.name = name;
        json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
        json.writeStartObject();
        json.writeStringField("$schema", "https://www.speedscope.app/file-format-schema.json");
        json.writeStringField("exporter", "profiler-convert");
        json.writeStringField("name", name);
        json.writeNumberField("activeProfileIndex", 0);
        json.writeArrayFieldStart("profiles");
    }

    /** The index of a frame, keyed by the caller's id, declared on first use. */
    public int frame(long id, Frame f) {
        Integer i = frameIndex.get(id);
        if (i != null) return i;
        frameIndex.put(id, frames.size());
        frames.add(f);
        return frames.size() - 1;
    }

    /** True if frame id was declared already (the caller can skip building its Frame). */
    public boolean hasFrame(long id) {
        return frameIndex.containsKey(id);
    }

    /** Starts a thread's profile; its values are nanoseconds from startValue on. */
    public void beginProfile(String profileName, long startValue) throws IOException {
        if (inProfile) endProfile();
        inProfile = true;
        this.startValue = startValue;
        this.endValue = startValue;
        weightCount = 0;
        lastStack = null;
        json.writeStartObject();
        json.writeStringField("type", "sampled");
        json.writeStringField("name", profileName);
        json.writeStringField("unit", "nanoseconds");
        json.writeNumberField("startValue", startValue);
        json.writeArrayFieldStart("samples");
    }

    /** One sample: frame indices root first, in time order within the profile. */
    public void sample(int[] stackRootFirst, long weightNs) throws IOException {
        endValue += weightNs;
        if (lastStack != null && Arrays.equals(lastStack, stackRootFirst)) {
            weights[weightCount - 1] += weightNs;
            return;
        }
        json.writeArray(stackRootFirst, 0, stackRootFirst.length);
        if (weightCount == weights.length) weights = Arrays.copyOf(weights, weights.length * 2);
        weights[weightCount++] = weightNs;
        lastStack = stackRootFirst;
    }

    private void endProfile() throws IOException {
        json.writeEndArray();
        json.writeArrayFieldStart("weights");
        for (int i = 0; i < weightCount; i++) json.writeNumber(weights[i]);
        json.writeEndArray();
        json.writeNumberField("endValue", endValue);
        json.writeEndObject();
        inProfile = false;
    }

    @Override
    public void close() throws IOException {
        if (inProfile) endProfile();
        json.writeEndArray();
        json.writeObjectFieldStart("shared");
        json.writeArrayFieldStart("frames");
        for (Frame f : frames) {
            json.writeStartObject();
            json.writeStringField("name", f.name());
            if (f.file() != null) json.writeStringField("file", f.file());
            if (f.line() != null) json.writeNumberField("line", f.line());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
        json.writeEndObject();
        json.close();
    }

    public String name() { return name; }
}
