package dev.profiler.formats.pprof;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a gzipped pprof profile (profile.proto) as it goes: samples are
 * encoded the moment they are given, and the tables they point into
 * (locations, functions, mappings, strings) are written once at the end.
 * protobuf allows repeated fields in any order, so memory holds the
 * distinct frames and strings, never the samples.
 *
 * Hand-encoded with protobuf-java's CodedOutputStream rather than generated
 * message classes: generated classes build the whole Profile in memory
 * before writing, which a capture larger than memory cannot afford, and the
 * format is nine small messages that never change (field numbers below are
 * those of github.com/google/pprof/proto/profile.proto).
 */
public final class PprofWriter implements AutoCloseable {
    // Profile
    private static final int P_SAMPLE_TYPE = 1, P_SAMPLE = 2, P_MAPPING = 3, P_LOCATION = 4, P_FUNCTION = 5,
        P_STRING_TABLE = 6, P_TIME_NANOS = 9, P_DURATION_NANOS = 10, P_PERIOD_TYPE = 11, P_PERIOD = 12,
        P_COMMENT = 13, P_DEFAULT_SAMPLE_TYPE = 14;
    // ValueType, Sample, Label, Mapping, Location, Line, Function
    private static final int VT_TYPE = 1, VT_UNIT = 2;
    private static final int S_LOCATION_ID = 1, S_VALUE = 2, S_LABEL = 3;
    private static final int L_KEY = 1, L_STR = 2, L_NUM = 3;
    private static final int M_ID = 1, M_START = 2, M_LIMIT = 3, M_OFFSET = 4, M_FILENAME = 5, M_BUILD_ID = 6,
        M_HAS_FUNCTIONS = 7;
    private static final int LOC_ID = 1, LOC_MAPPING_ID = 2, LOC_ADDRESS = 3, LOC_LINE = 4;
    private static final int LINE_FUNCTION_ID = 1, LINE_LINE = 2;
    private static final int F_ID = 1, F_NAME = 2, F_SYSTEM_NAME = 3, F_FILENAME = 4;

    /** What a location needs from a frame. */
    public record Frame(String function, String module, String buildId, long address, String file, Integer line) {}

    /** One value type of the profile ("samples"/"count", "cpu"/"nanoseconds"). */
    public record ValueType(String type, String unit) {}

    private final GZIPOutputStream gzip;
    private final CodedOutputStream out;
    private final Map<String, Integer> strings = new LinkedHashMap<>();
    private final Map<Long, Frame> frames = new HashMap<>();
    private final java.util.Set<Long> referenced = new java.util.HashSet<>();
    private final int valueCount;
    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(512);

    /**
     * @param sampleTypes the values each sample carries, in order; the last is the default
     * @param periodType what one sampling period measures, with {@code period}
     */
    public PprofWriter(OutputStream sink, List<ValueType> sampleTypes, ValueType periodType, long period,
                       long timeNanos, long durationNanos, List<String> comments) throws IOException {
        this.gzip = new GZIPOutputStream(sink, 1 << 16);
        this.out = CodedOutputStream.newInstance(gzip, 1 << 16);
        this.valueCount = sampleTypes.size();
        intern("");
        for (ValueType vt : sampleTypes) writeValueType(P_SAMPLE_TYPE, vt);
        writeValueType(P_PERIOD_TYPE, periodType);
        out.writeInt64(P_PERIOD, period);
        if (timeNanos != 0) out.writeInt64(P_TIME_NANOS, timeNanos);
        if (durationNanos != 0) out.writeInt64(P_DURATION_NANOS, durationNanos);
        for (String c : comments) out.writeInt64(P_COMMENT, intern(c));
        out.writeInt64(P_DEFAULT_SAMPLE_TYPE, intern(sampleTypes.get(sampleTypes.size() - 1).type()));
    }

    private void writeValueType(int field, ValueType vt) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(16);
        CodedOutputStream c = CodedOutputStream.newInstance(b);
        c.writeInt64(VT_TYPE, intern(vt.type()));
        c.writeInt64(VT_UNIT, intern(vt.unit()));
        c.flush();
        out.writeByteArray(field, b.toByteArray());
    }

    private int intern(String s) {
        if (s == null) return 0;
        Integer i = strings.get(s);
        if (i != null) return i;
        int n = strings.size();
        strings.put(s, n);
        return n;
    }

    /** Declares a frame (any time before close). Ids are the capture's frame ids. */
    public void frame(long frameId, Frame f) {
        frames.put(frameId, f);
    }

    /** A num label ("pid") or a string label ("thread"); null values are left out. */
    public record Label(String key, String str, Long num) {}

    /** Writes one sample: frames leaf first, one value per sample type. */
    public void sample(long[] frameIdsLeafFirst, long[] values, List<Label> labels) throws IOException {
        if (values.length != valueCount) throw new IllegalArgumentException("expected " + valueCount + " values");
        scratch.reset();
        CodedOutputStream c = CodedOutputStream.newInstance(scratch, 256);
        if (frameIdsLeafFirst.length > 0) {
            int size = 0;
            for (long id : frameIdsLeafFirst) size += CodedOutputStream.computeUInt64SizeNoTag(id + 1);
            c.writeTag(S_LOCATION_ID, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            c.writeUInt32NoTag(size);
            for (long id : frameIdsLeafFirst) {
                c.writeUInt64NoTag(id + 1); // pprof ids start at 1
                referenced.add(id);
            }
        }
        int vsize = 0;
        for (long v : values) vsize += CodedOutputStream.computeInt64SizeNoTag(v);
        c.writeTag(S_VALUE, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(vsize);
        for (long v : values) c.writeInt64NoTag(v);
        for (Label l : labels) {
            if (l.str() == null && l.num() == null) continue;
            ByteArrayOutputStream lb = new ByteArrayOutputStream(16);
            CodedOutputStream lc = CodedOutputStream.newInstance(lb);
            lc.writeInt64(L_KEY, intern(l.key()));
            if (l.str() != null) lc.writeInt64(L_STR, intern(l.str()));
            else lc.writeInt64(L_NUM, l.num());
            lc.flush();
            c.writeByteArray(S_LABEL, lb.toByteArray());
        }
        c.flush();
        out.writeByteArray(P_SAMPLE, scratch.toByteArray());
    }

    @Override
    public void close() throws IOException {
        // Mappings: one per module (file + build id); files before pseudo-modules
        // ([kernel.kallsyms], [jit]), then most frames first: pprof tools name a
        // profile after its first mapping, which should be the program;
        // functions: one per (name, module).
        Map<String, Integer> framesPerModule = new HashMap<>();
        for (Long frameId : referenced) framesPerModule.merge(mappingKey(frames.get(frameId)), 1, Integer::sum);
        Map<String, long[]> mappingIds = new LinkedHashMap<>(); // key -> {id, maxAddress}
        framesPerModule.entrySet().stream()
            .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> e.getKey().startsWith("["))
                .thenComparing(Map.Entry::getValue, Comparator.reverseOrder())
                .thenComparing(Map.Entry::getKey))
            .forEach(e -> mappingIds.put(e.getKey(), new long[] {mappingIds.size() + 1, 0}));
        Map<String, String[]> mappingInfo = new HashMap<>();
        Map<String, Long> functionIds = new LinkedHashMap<>();
        Map<String, String[]> functionInfo = new HashMap<>();
        List<long[]> locations = new ArrayList<>(); // {id, mappingId, address, functionId, line}
        for (Long frameId : referenced) {
            Frame f = frames.get(frameId);
            String module = moduleOf(f);
            String mkey = mappingKey(f);
            long[] m = mappingIds.get(mkey);
            mappingInfo.putIfAbsent(mkey, new String[] {module, f == null ? null : f.buildId()});
            long address = f == null ? 0 : f.address();
            if (Long.compareUnsigned(address + 1, m[1]) > 0) m[1] = address + 1;
            long functionId = 0;
            if (f != null && f.function() != null) {
                String fkey = f.function() + "\0" + module;
                functionId = functionIds.computeIfAbsent(fkey, k -> (long) functionIds.size() + 1);
                functionInfo.putIfAbsent(fkey, new String[] {f.function(), f.file()});
            }
            locations.add(new long[] {frameId + 1, m[0], address, functionId,
                f == null || f.line() == null ? 0 : f.line()});
        }
        for (Map.Entry<String, long[]> e : mappingIds.entrySet()) {
            String[] info = mappingInfo.get(e.getKey());
            writeMessage(P_MAPPING, c -> {
                c.writeUInt64(M_ID, e.getValue()[0]);
                c.writeUInt64(M_START, 0);
                c.writeUInt64(M_LIMIT, e.getValue()[1]);
                c.writeUInt64(M_OFFSET, 0);
                c.writeInt64(M_FILENAME, intern(info[0]));
                if (info[1] != null) c.writeInt64(M_BUILD_ID, intern(info[1]));
                c.writeBool(M_HAS_FUNCTIONS, true);
            });
        }
        for (long[] loc : locations) {
            writeMessage(P_LOCATION, c -> {
                c.writeUInt64(LOC_ID, loc[0]);
                c.writeUInt64(LOC_MAPPING_ID, loc[1]);
                c.writeUInt64(LOC_ADDRESS, loc[2]);
                if (loc[3] != 0) {
                    ByteArrayOutputStream lb = new ByteArrayOutputStream(8);
                    CodedOutputStream lc = CodedOutputStream.newInstance(lb);
                    lc.writeUInt64(LINE_FUNCTION_ID, loc[3]);
                    if (loc[4] != 0) lc.writeInt64(LINE_LINE, loc[4]);
                    lc.flush();
                    c.writeByteArray(LOC_LINE, lb.toByteArray());
                }
            });
        }
        for (Map.Entry<String, Long> e : functionIds.entrySet()) {
            String[] info = functionInfo.get(e.getKey());
            writeMessage(P_FUNCTION, c -> {
                c.writeUInt64(F_ID, e.getValue());
                c.writeInt64(F_NAME, intern(info[0]));
                c.writeInt64(F_SYSTEM_NAME, intern(info[0]));
                if (info[1] != null) c.writeInt64(F_FILENAME, intern(info[1]));
            });
        }
        for (String s : strings.keySet()) out.writeString(P_STRING_TABLE, s);
        out.flush();
        gzip.finish();
        gzip.close();
    }

    private static String moduleOf(Frame f) {
        return f == null || f.module() == null ? "[unknown]" : f.module();
    }

    private static String mappingKey(Frame f) {
        return moduleOf(f) + "\0" + (f == null || f.buildId() == null ? "" : f.buildId());
    }

    private interface Body {
        void write(CodedOutputStream c) throws IOException;
    }

    private void writeMessage(int field, Body body) throws IOException {
        scratch.reset();
        CodedOutputStream c = CodedOutputStream.newInstance(scratch, 256);
        body.write(c);
        c.flush();
        out.writeByteArray(field, scratch.toByteArray());
    }
}
