package dev.profiler.analyzer;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Reads back what the tests need of a pprof file, with protobuf's wire
 * reader and profile.proto's field numbers, independently of PprofWriter:
 * the sample types, each value's total, each leaf function's total of every
 * value, and each string label's ("lock=work_lock").
 */
record PprofDecoder(List<String> sampleTypes, long[] totals, Map<String, long[]> leafTotals,
                    Map<String, long[]> labelTotals) {
    static PprofDecoder read(Path file) throws IOException {
        List<String> strings = new ArrayList<>();
        List<long[]> sampleTypeIds = new ArrayList<>();
        List<long[]> sampleValues = new ArrayList<>();
        List<Long> sampleLeaf = new ArrayList<>();
        List<List<long[]>> sampleLabels = new ArrayList<>(); // {key, str} string ids
        Map<Long, Long> locationFunction = new HashMap<>();
        Map<Long, Long> functionName = new HashMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            CodedInputStream c = CodedInputStream.newInstance(in);
            c.setSizeLimit(Integer.MAX_VALUE);
            int tag;
            while ((tag = c.readTag()) != 0) {
                int field = WireFormat.getTagFieldNumber(tag);
                switch (field) {
                    case 1 -> { // sample_type: ValueType {type = 1, unit = 2}
                        Map<Integer, List<Long>> vt = fields(c.readByteArray());
                        sampleTypeIds.add(new long[] {vt.get(1).get(0), vt.get(2).get(0)});
                    }
                    case 2 -> { // sample {location_id = 1 (packed), value = 2 (packed)}
                        byte[] sample = c.readByteArray();
                        Map<Integer, List<Long>> s = fields(sample);
                        sampleLeaf.add(s.containsKey(1) ? s.get(1).get(0) : null);
                        sampleValues.add(s.get(2).stream().mapToLong(Long::longValue).toArray());
                        List<long[]> labels = new ArrayList<>(); // label = 3 {key = 1, str = 2, num = 3}
                        CodedInputStream sm = CodedInputStream.newInstance(sample);
                        for (int st; (st = sm.readTag()) != 0; ) {
                            if (WireFormat.getTagFieldNumber(st) != 3) {
                                sm.skipField(st);
                                continue;
                            }
                            Map<Integer, List<Long>> l = fields(sm.readByteArray());
                            if (l.containsKey(2)) labels.add(new long[] {l.get(1).get(0), l.get(2).get(0)});
                        }
                        sampleLabels.add(labels);
                    }
                    case 4 -> { // location {id = 1, line = 4 {function_id = 1}}
                        CodedInputStream l = CodedInputStream.newInstance(c.readByteArray());
                        long id = 0, function = 0;
                        int lt;
                        while ((lt = l.readTag()) != 0) {
                            if (WireFormat.getTagFieldNumber(lt) == 1) id = l.readUInt64();
                            else if (WireFormat.getTagFieldNumber(lt) == 4) function = fields(l.readByteArray()).get(1).get(0);
                            else l.skipField(lt);
                        }
                        locationFunction.put(id, function);
                    }
                    case 5 -> { // function {id = 1, name = 2}
                        Map<Integer, List<Long>> f = fields(c.readByteArray());
                        functionName.put(f.get(1).get(0), f.get(2).get(0));
                    }
                    case 6 -> strings.add(c.readStringRequireUtf8());
                    default -> c.skipField(tag);
                }
            }
        }
        List<String> types = new ArrayList<>();
        for (long[] t : sampleTypeIds) types.add(strings.get((int) t[0]) + "/" + strings.get((int) t[1]));
        long[] totals = new long[types.size()];
        Map<String, long[]> leaves = new TreeMap<>(), byLabel = new TreeMap<>();
        for (int i = 0; i < sampleValues.size(); i++) {
            long[] v = sampleValues.get(i);
            for (long[] l : sampleLabels.get(i)) {
                long[] sum = byLabel.computeIfAbsent(strings.get((int) l[0]) + "=" + strings.get((int) l[1]), k -> new long[v.length]);
                for (int j = 0; j < v.length; j++) sum[j] += v[j];
            }
            Long leaf = sampleLeaf.get(i);
            String name = leaf == null ? "(no location)"
                : strings.get(functionName.get(locationFunction.get(leaf)).intValue());
            long[] sum = leaves.computeIfAbsent(name, k -> new long[v.length]);
            for (int j = 0; j < v.length; j++) {
                totals[j] += v[j];
                sum[j] += v[j];
            }
        }
        return new PprofDecoder(types, totals, leaves, byLabel);
    }

    /** A message's varint fields and packed varint fields, by number. */
    private static Map<Integer, List<Long>> fields(byte[] message) throws IOException {
        Map<Integer, List<Long>> out = new HashMap<>();
        CodedInputStream m = CodedInputStream.newInstance(message);
        int tag;
        while ((tag = m.readTag()) != 0) {
            List<Long> values = out.computeIfAbsent(WireFormat.getTagFieldNumber(tag), k -> new ArrayList<>());
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                CodedInputStream packed = CodedInputStream.newInstance(m.readByteArray());
                while (!packed.isAtEnd()) values.add(packed.readInt64());
            } else {
                values.add(m.readInt64());
            }
        }
        return out;
    }
}
