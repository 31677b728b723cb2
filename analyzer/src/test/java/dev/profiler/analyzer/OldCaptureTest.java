package dev.profiler.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profiler.analyzer.CaptureDatabase.CacheUse;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture written before samples.unwind, sched_wakeup.waker_context, processes.target and
 * sched_switch's prev_syscall, prev_futex_op and prev_iowait existed (their
 * files lack those columns) still loads, with the columns there and null,
 * and the analyses answer as for the same capture with them.
 */
class OldCaptureTest {
    @TempDir Path tmp;

    @Test
    void tablesWithoutTheNewerOptionalColumnsLoadAndAnswerTheSame() throws Exception {
        Path capture = Scenarios.convoy(tmp.resolve("convoy.cap"));
        List<List<String>> expected;
        try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), CacheUse.OFF, null, m -> {})) {
            expected = AnalysisCacheTest.answers(db);
            rewriteWithout(db, capture.resolve("sched_wakeup.arrows"), "sched_wakeup", "waker_context");
            rewriteWithout(db, capture.resolve("processes.arrows"), "processes", "target");
            rewriteWithout(db, capture.resolve("samples.arrows"), "samples", "unwind");
            rewriteWithout(db, capture.resolve("sched_switch.arrows"), "sched_switch", "prev_syscall", "prev_futex_op",
                "prev_iowait");
        }
        for (CacheUse use : CacheUse.values()) {
            try (CaptureDatabase db = CaptureDatabase.open(List.of(capture), use, null, m -> {});
                 Statement st = db.connection().createStatement()) {
                assertTrue(db.warnings().isEmpty(), db.warnings().toString());
                try (ResultSet rs = st.executeQuery("SELECT count(*), count(waker_context) FROM sched_wakeup")) {
                    rs.next();
                    assertTrue(rs.getLong(1) > 0);
                    assertEquals(0, rs.getLong(2), "the column is there, all null");
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE target IS NOT NULL) FROM processes")) {
                    rs.next();
                    assertEquals(0, rs.getLong(1));
                }
                assertEquals(expected, AnalysisCacheTest.answers(db), use.toString());
            }
        }
    }

    /** Writes table's rows, without some columns, as a plain Arrow stream (no dictionaries) over file. */
    private static void rewriteWithout(CaptureDatabase db, Path file, String table, String... columns) throws Exception {
        try (Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT * EXCLUDE (" + String.join(", ", columns) + ") FROM " + table);
             BufferAllocator allocator = new RootAllocator()) {
            ResultSetMetaData md = rs.getMetaData();
            List<Field> fields = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) fields.add(new Field(md.getColumnName(i), FieldType.nullable(arrowType(md.getColumnType(i))), null));
            List<List<Object>> rows = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) row.add(rs.getObject(i));
                rows.add(row);
            }
            assertFalse(rows.isEmpty(), table + " has rows to keep");
            try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
                 OutputStream out = Files.newOutputStream(file);
                 ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
                root.allocateNew();
                for (int r = 0; r < rows.size(); r++)
                    for (int c = 0; c < fields.size(); c++) set(root.getVector(c), r, rows.get(r).get(c));
                root.setRowCount(rows.size());
                writer.start();
                writer.writeBatch();
                writer.end();
            }
        }
    }

    private static ArrowType arrowType(int sqlType) {
        return switch (sqlType) {
            case Types.BIGINT -> new ArrowType.Int(64, true);
            case Types.INTEGER -> new ArrowType.Int(32, true);
            case Types.BOOLEAN -> ArrowType.Bool.INSTANCE;
            case Types.VARCHAR -> ArrowType.Utf8.INSTANCE;
            default -> throw new IllegalArgumentException("no Arrow type here for SQL type " + sqlType);
        };
    }

    private static void set(FieldVector v, int row, Object value) {
        if (value == null) {
            v.setNull(row);
            return;
        }
        if (v instanceof BigIntVector b) b.setSafe(row, ((Number) value).longValue());
        else if (v instanceof IntVector i) i.setSafe(row, ((Number) value).intValue());
        else if (v instanceof BitVector b) b.setSafe(row, (Boolean) value ? 1 : 0);
        else if (v instanceof VarCharVector s) s.setSafe(row, value.toString().getBytes(StandardCharsets.UTF_8));
        else throw new IllegalArgumentException(v.getClass().getName());
    }
}
