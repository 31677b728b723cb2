package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Column;
import dev.profiler.recorder.bpf.ShimBatchSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shim's writer of record batches (native/ipc_writer.c) against the
 * recorder's Java writer, on the tables it writes while recording: the same
 * rows, appended in the same pieces, read back with Arrow Java give the same
 * batches (row counts, null counts, validity and value bytes, dictionaries),
 * with buffers that compress and buffers that do not (stored raw). The zstd
 * frames themselves may differ (Debian's libzstd against zstd-jni's).
 */
class NativeTableWriterTest {
    /** ipc_writer.h, exported by the library the recorder loads. */
    interface IpcWriterLib extends Library {
        Pointer ipc_writer_open(String path, int ncols, int[] widths, int[] nullable, int batchRows);

        int ipc_writer_append(Pointer w, int n, Pointer[] columns, long nowNs);

        int ipc_writer_flush(Pointer w, long maxAgeNs, long nowNs);

        long ipc_writer_rows_written(Pointer w);

        int ipc_writer_close(Pointer w, long[] rowsWritten);
    }

    static final IpcWriterLib LIB = Native.load("profilershim", IpcWriterLib.class);
    static final int BATCH_ROWS = CaptureWriter.DEFAULT_BATCH_ROWS;
    /** Appended in these pieces; after the second, a flush of whatever waits (an odd-sized batch). */
    static final int[] PIECES = {1, 1_000, 70_003};

    @TempDir Path tmp;

    @Test
    void samplesReadBackAsTheJavaWriterWritesThem() throws Exception {
        sameAsJava(CaptureTable.SAMPLES);
    }

    @Test
    void schedulerEventsReadBackAsTheJavaWriterWritesThem() throws Exception {
        sameAsJava(CaptureTable.SCHED_SWITCH);
        sameAsJava(CaptureTable.SCHED_WAKEUP);
    }

    /**
     * A full disk: the write's errno comes back (Java reports it and keeps
     * the capture), and nothing is appended after the failed write, which
     * may have left part of a batch (a reader keeps the batches before it).
     */
    @Test
    void aFailedWriteIsReportedAndNothingIsAppendedAfterIt() throws Exception {
        int[] widths = {8, 4}, nullable = {0, 1};
        Pointer w = LIB.ipc_writer_open("/dev/full", 2, widths, nullable, 16);
        assertTrue(w != null, "ipc_writer_open");
        ByteBuffer[] cols = rows(List.of(Column.required("ts", Column.Kind.INT64, ""),
            Column.optional("x", Column.Kind.INT32, "")), Map.of(), 10, new Random(1));
        Pointer[] ptrs = {Native.getDirectBufferPointer(cols[0]), Native.getDirectBufferPointer(cols[1])};
        assertEquals(0, LIB.ipc_writer_append(w, 10, ptrs, 0));
        assertEquals(-28, LIB.ipc_writer_flush(w, 0, 0), "ENOSPC");
        // the queued rows stay; a full batch (16 rows) is not written either
        assertEquals(-5, LIB.ipc_writer_append(w, 10, ptrs, 0), "EIO: no write after a failed one");
        assertEquals(-5, LIB.ipc_writer_flush(w, 0, 0));
        long[] written = new long[1];
        LIB.ipc_writer_close(w, written);
        assertEquals(0, written[0]);
    }

    /**
     * The tables Java fills (lists, strings, nulls, dictionaries that grow
     * between batches), their batches serialized by the shim from Java's
     * Arrow buffers (ShimBatchSink): read back as those Java's own writer
     * wrote for the same rows, dictionaries included. The sink takes over
     * after Java wrote a batch itself, as in a recording.
     */
    @Test
    void javaFilledTablesReadBackAsTheJavaWriterWritesThem() throws Exception {
        for (CaptureTable table : CaptureTable.values()) {
            Random rnd = new Random(table.ordinal());
            List<List<Object[]>> pieces = new ArrayList<>();
            for (int i = 0; i < PIECES.length; i++) pieces.add(javaRows(table.columns(), PIECES[i], i, rnd));
            Path javaDir = tmp.resolve(table.tableName() + "-java-rows.cap");
            Path nativeDir = tmp.resolve(table.tableName() + "-native-rows.cap");
            for (Path dir : List.of(javaDir, nativeDir)) {
                try (CaptureWriter out = CaptureWriter.create(dir, false)) {
                    for (int i = 0; i < PIECES.length; i++) {
                        for (Object[] row : pieces.get(i)) out.table(table).append(row);
                        if (i == 0 && dir == nativeDir) out.writeBatchesThrough(table, ShimBatchSink::open);
                        else if (i == 0) out.table(table).flush();
                    }
                }
            }
            List<String> javaBatches = decodedBatches(javaDir.resolve(table.fileName()));
            // 1 row, 1,000 + the first 64k (a full batch), the rest at the close
            assertEquals(3, javaBatches.size(), table.tableName());
            assertEquals(javaBatches, decodedBatches(nativeDir.resolve(table.fileName())), table.tableName());
        }
    }

    /**
     * n rows of random values of each column's kind: a third null in
     * optional columns, strings empty, ASCII or not, dictionary values
     * from a set that grows with each piece, lists of 0 to 40 ids.
     */
    private static List<Object[]> javaRows(List<Column> columns, int n, int piece, Random rnd) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object[] row = new Object[columns.size()];
            for (int c = 0; c < row.length; c++) {
                Column col = columns.get(c);
                if (col.nullable() && rnd.nextInt(3) == 0) continue;
                row[c] = switch (col.kind()) {
                    case INT64 -> rnd.nextLong();
                    case INT32 -> rnd.nextInt();
                    case INT16 -> (short) rnd.nextInt();
                    case BOOL -> rnd.nextBoolean();
                    case STRING -> List.of("", "main", "std::vector<int>::push_back", "f\u00fcr_\u5168")
                        .get(rnd.nextInt(4)) + rnd.nextInt(1000);
                    case DICT_STRING -> col.name() + "/" + rnd.nextInt(3 + 5 * piece);
                    case INT64_LIST -> rnd.longs(rnd.nextInt(41), 0, 1 << 20).toArray();
                };
            }
            rows.add(row);
        }
        return rows;
    }

    /** Each record batch of a table file, its values decoded (dictionaries too): as text. */
    private static List<String> decodedBatches(Path file) throws IOException {
        return describeBatches(file, (root, dictionaries) -> {
            StringBuilder sb = new StringBuilder(root.contentToTSVString());
            for (FieldVector v : root.getFieldVectors()) {
                sb.append(v.getName()).append(" nulls ").append(v.getNullCount());
                if (v.getField().getDictionary() != null) {
                    FieldVector d = dictionaries.get(v.getField().getDictionary().getId()).getVector();
                    sb.append(" dictionary");
                    for (int i = 0; i < d.getValueCount(); i++) sb.append(' ').append(d.getObject(i));
                }
                sb.append('\n');
            }
            return sb.toString();
        });
    }

    /** A record batch as text; dictionaries: those it is read with, by id. */
    interface BatchDescriber {
        String describe(VectorSchemaRoot batch, Map<Long, Dictionary> dictionaries);
    }

    /** Reads a table file with Arrow Java and describes each record batch in it. */
    private static List<String> describeBatches(Path file, BatchDescriber describer) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferAllocator a = new RootAllocator();
             FileChannel ch = FileChannel.open(file);
             ArrowStreamReader in = new ArrowStreamReader(ch, a, CommonsCompressionFactory.INSTANCE)) {
            VectorSchemaRoot root = in.getVectorSchemaRoot();
            while (in.loadNextBatch()) out.add(describer.describe(root, in.getDictionaryVectors()));
        }
        return out;
    }

    private void sameAsJava(CaptureTable table) throws Exception {
        List<Column> columns = table.columns();
        int[] widths = new int[columns.size()], nullable = new int[columns.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = width(columns.get(c));
            nullable[c] = columns.get(c).nullable() ? 1 : 0;
        }
        Map<String, Integer> dictionarySizes = dictionarySizes(table);
        Random rnd = new Random(table.ordinal());
        List<ByteBuffer[]> pieces = new ArrayList<>();
        for (int n : PIECES) pieces.add(rows(columns, dictionarySizes, n, rnd));

        // the recorder's Java writer
        Path javaDir = tmp.resolve(table.tableName() + "-java.cap");
        try (CaptureWriter out = CaptureWriter.create(javaDir, false)) {
            Recording.seedDictionaries(out);
            for (int i = 0; i < PIECES.length; i++) {
                out.table(table).appendColumns(PIECES[i], pieces.get(i));
                if (i == 1) out.table(table).flush();
            }
        }
        // the shim's, after Java wrote the schema and dictionaries
        Path nativeDir = tmp.resolve(table.tableName() + "-native.cap");
        long[] written = new long[1];
        try (CaptureWriter out = CaptureWriter.create(nativeDir, false)) {
            Recording.seedDictionaries(out);
            Path file = out.handOver(table);
            Pointer w = LIB.ipc_writer_open(file.toString(), widths.length, widths, nullable, BATCH_ROWS);
            assertTrue(w != null, "ipc_writer_open");
            try {
                for (int i = 0; i < PIECES.length; i++) {
                    Pointer[] cols = new Pointer[widths.length];
                    for (int c = 0; c < cols.length; c++) cols[c] = Native.getDirectBufferPointer(pieces.get(i)[c]);
                    assertEquals(0, LIB.ipc_writer_append(w, PIECES[i], cols, 1_000L * i));
                    if (i == 1) assertEquals(0, LIB.ipc_writer_flush(w, 0, 1_000L * i));
                }
            } finally {
                assertEquals(0, LIB.ipc_writer_close(w, written));
            }
            out.table(table).addRowsWrittenElsewhere(written[0]);
            assertEquals(1 + 1_000 + 70_003, out.rowCounts().get(table.tableName()));
        }
        List<String> javaBatches = batches(javaDir.resolve(table.fileName()));
        List<String> nativeBatches = batches(nativeDir.resolve(table.fileName()));
        // 1 + 1,000 rows flushed, a full batch, then the rest at the close
        assertEquals(3, javaBatches.size(), table.tableName());
        assertEquals(javaBatches, nativeBatches, table.tableName());
    }

    static int width(Column c) {
        return switch (c.kind()) {
            case INT64 -> 8;
            case INT32, DICT_STRING -> 4;
            case INT16 -> 2;
            case BOOL -> 1;
            default -> throw new IllegalArgumentException(c.name() + " is not fixed-width");
        };
    }

    /** The seeded dictionaries' sizes: the indexes a row may carry. */
    private Map<String, Integer> dictionarySizes(CaptureTable table) throws Exception {
        Map<String, Integer> sizes = new java.util.HashMap<>();
        try (CaptureWriter out = CaptureWriter.create(tmp.resolve(table.tableName() + "-dicts.cap"), false)) {
            Recording.seedDictionaries(out);
            for (Column c : table.columns())
                if (c.kind() == Column.Kind.DICT_STRING) sizes.put(c.name(), seededSize(out, table, c.name()));
        }
        return sizes;
    }

    /** A value not seeded gets the next index: the seeded count. */
    private static int seededSize(CaptureWriter out, CaptureTable table, String column) {
        return out.table(table).dictionaryIndex(column, "\u0000not a seeded value");
    }

    /**
     * n random rows as the shim's columns: ascending timestamps (they
     * compress), random 64-bit ids (they do not: stored raw), nulls (-1) in
     * a third of an optional column's rows, dictionary indexes in range,
     * bools as bytes.
     */
    private static ByteBuffer[] rows(List<Column> columns, Map<String, Integer> dictionarySizes, int n, Random rnd) {
        ByteBuffer[] out = new ByteBuffer[columns.size()];
        for (int c = 0; c < out.length; c++) {
            Column col = columns.get(c);
            int width = width(col);
            ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, n * width)).order(ByteOrder.LITTLE_ENDIAN);
            long ts = 1_000_000_000L;
            for (int i = 0; i < n; i++) {
                boolean isNull = col.nullable() && rnd.nextInt(3) == 0;
                long v;
                if (isNull) v = -1;
                else if (col.kind() == Column.Kind.DICT_STRING) v = rnd.nextInt(dictionarySizes.get(col.name()));
                else if (col.kind() == Column.Kind.BOOL) v = rnd.nextInt(2);
                else if (col.name().startsWith("ts")) v = ts += rnd.nextInt(1_000_000);
                else if (width == 8) v = rnd.nextLong() & Long.MAX_VALUE;
                else v = rnd.nextInt(1 << (8 * width - 2));
                switch (width) {
                    case 8 -> b.putLong(i * 8, v);
                    case 4 -> b.putInt(i * 4, (int) v);
                    case 2 -> b.putShort(i * 2, (short) v);
                    default -> b.put(i, (byte) v);
                }
            }
            out[c] = b;
        }
        return out;
    }

    /** Each record batch of a table file, described: rows, and per column its null count, validity and value bytes, dictionary. */
    private static List<String> batches(Path file) throws IOException {
        return describeBatches(file, (root, dictionaries) -> {
            StringBuilder sb = new StringBuilder("rows " + root.getRowCount());
            for (FieldVector v : root.getFieldVectors()) {
                int n = v.getValueCount();
                sb.append(" | ").append(v.getName()).append(" nulls ").append(v.getNullCount());
                sb.append(" validity ").append(java.util.Arrays.hashCode(bytes(v.getValidityBuffer(), (n + 7) / 8)));
                long valueBytes = v instanceof BitVector ? (n + 7) / 8 : (long) n * ((BaseFixedWidthVector) v).getTypeWidth();
                byte[] values = bytes(v.getDataBuffer(), valueBytes);
                sb.append(" values ").append(java.util.Arrays.hashCode(values));
                if (v.getField().getDictionary() != null)
                    sb.append(" dictionary ").append(dictionaries.get(v.getField().getDictionary().getId()).getVector().getValueCount());
            }
            return sb.toString();
        });
    }

    private static byte[] bytes(org.apache.arrow.memory.ArrowBuf buf, long n) {
        byte[] b = new byte[(int) n];
        buf.getBytes(0, b);
        return b;
    }
}
