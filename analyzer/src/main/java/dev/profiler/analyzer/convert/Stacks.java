package dev.profiler.analyzer.convert;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/** What the converters share to read stacks: frame ids out of a SQL list, and the frames' printable names. */
final class Stacks {
    private Stacks() {}

    /** A stacks.frame_ids list (leaf first) as longs; null (no stack) as none. */
    static long[] frameIds(Array list) throws SQLException {
        if (list == null) return new long[0];
        Object[] items = (Object[]) list.getArray();
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) out[i] = ((Number) items[i]).longValue();
        return out;
    }

    /** frame id -> {name, module} from frame_names (unsymbolized frames named [module+0xoffset]). */
    static Map<Long, String[]> frameNames(Statement st) throws SQLException {
        Map<Long, String[]> names = new HashMap<>();
        try (ResultSet rs = st.executeQuery("SELECT frame_id, name, module FROM frame_names")) {
            while (rs.next()) names.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
        }
        return names;
    }
}
