import dev.profiler.analyzer.CaptureDatabase;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The baseline of bench/conversions: open a capture (through its analysis
 * cache, as profiler-convert does) and read every sample's columns (the ones
 * the converters read) through JDBC, doing nothing with them.
 * Usage: java ScanBench.java CAPTURE [SQL...]   prints "rows N" (SQL: queries of
 * integer columns to read instead, one after the other: the same columns a
 * converter reads)
 */
public class ScanBench {
    public static void main(String[] args) throws Exception {
        long rows = 0, sum = 0;
        String[] queries = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length)
            : new String[] {"SELECT ts, cpu, pid, tid, stack_id, weight FROM samples"};
        try (CaptureDatabase db = CaptureDatabase.open(Path.of(args[0])); Statement st = db.connection().createStatement()) {
            for (String sql : queries) {
                try (ResultSet rs = st.executeQuery(sql)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) sum += rs.getLong(i);
                        rows++;
                    }
                }
            }
        }
        System.out.println("rows " + rows + " checksum " + sum);
    }
}
