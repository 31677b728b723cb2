import dev.profiler.analyzer.CaptureDatabase;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The baseline of bench/conversions: open a capture (through its analysis
 * cache, as profiler-convert does) and read every sample's columns (the ones
 * the converters read) through JDBC, doing nothing with them.
 * Usage: java ScanBench.java CAPTURE   prints "rows N"
 */
public class ScanBench {
    public static void main(String[] args) throws Exception {
        long rows = 0, sum = 0;
        try (CaptureDatabase db = CaptureDatabase.open(Path.of(args[0])); Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT ts, cpu, pid, tid, stack_id, weight FROM samples")) {
            while (rs.next()) {
                sum += rs.getLong(1) + rs.getInt(2) + rs.getInt(3) + rs.getInt(4) + rs.getLong(5) + rs.getLong(6);
                rows++;
            }
        }
        System.out.println("rows " + rows + " checksum " + sum);
    }
}
