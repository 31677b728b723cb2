package dev.profiler.formats;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureRoundTripTest {
    @TempDir Path tmp;

    /** A value of the right kind for column c of row r; strings repeat (dictionaries grow slowly). */
    static Object valueFor(Column col, int r) {
        if (col.nullable() && r % 7 == 3) return null;
        return switch (col.kind()) {
            case INT64 -> (long) r * 1_000_003L + col.name().length();
            case INT32 -> r * 31 + 1;
            case INT16 -> (short) (r % 100);
            case BOOL -> r % 3 == 0;
            case STRING -> "fn_" + r + "_é";
            case DICT_STRING -> "name-" + (r / 4); // a new entry every 4 rows: grows across batches
            case INT64_LIST -> new long[] {r, r + 1L, -r};
        };
    }

    static List<Object[]> rowsFor(CaptureTable t, int n) {
        List<Object[]> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            Object[] row = new Object[t.columns().size()];
            for (int c = 0; c < row.length; c++) row[c] = valueFor(t.columns().get(c), r);
            rows.add(row);
        }
        return rows;
    }

    static void assertRowsEqual(List<Object[]> expected, List<Object[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": row count");
        for (int r = 0; r < expected.size(); r++) {
            for (int c = 0; c < expected.get(r).length; c++) {
                Object e = expected.get(r)[c], a = actual.get(r)[c];
                if (e instanceof long[] el) assertArrayEquals(el, (long[]) a, what + " row " + r);
                else if (e instanceof Number en) assertEquals(en.longValue(), ((Number) a).longValue(), what + " row " + r + " col " + c);
                else assertEquals(e, a, what + " row " + r + " col " + c);
            }
        }
    }

    @Test
    void rowsAreFlushedOnceTheOldestHasWaitedAndTheWriterSaysWhen() throws Exception {
        try (CaptureWriter out = CaptureWriter.create(tmp.resolve("w.cap"), false)) {
            assertEquals(Long.MAX_VALUE, out.millisUntilFlushDue(), "nothing pending, nothing to wake for");
            TableWriter threads = out.table(CaptureTable.THREADS);
            threads.append(rowsFor(CaptureTable.THREADS, 1).get(0));
            long due = out.millisUntilFlushDue();
            assertTrue(due > 0 && due <= 1000, "the row's second has just begun: " + due);
            threads.flushIfOlderThan(60_000_000_000L);
            assertEquals(0, threads.rowsWritten(), "a minute has not passed");
            threads.flushIfOlderThan(0);
            assertEquals(1, threads.rowsWritten());
            assertEquals(Long.MAX_VALUE, out.millisUntilFlushDue(), "flushed: nothing pending again");
        }
    }

    @Test
    void everyTableRoundTripsAcrossBatchesWithGrowingDictionaries() throws Exception {
        Path cap = tmp.resolve("t.cap");
        int rowsPerTable = 50; // batches of 8 rows: 7 batches, the dictionaries grow in each
        try (CaptureWriter w = CaptureWriter.create(cap, false, 8)) {
            for (CaptureTable t : CaptureTable.values())
                for (Object[] row : rowsFor(t, rowsPerTable)) w.table(t).append(row);
            Manifest m = new Manifest();
            m.complete = true;
            m.host = "h";
            w.writeManifest(m);
        }
        try (CaptureReader r = CaptureReader.open(cap); RootAllocator a = new RootAllocator()) {
            assertTrue(r.manifest().complete);
            for (CaptureTable t : CaptureTable.values()) {
                try (TableReader tr = r.openTable(t, a)) {
                    List<Object[]> back = TableRows.readAll(tr);
                    assertRowsEqual(rowsFor(t, rowsPerTable), back, t.tableName());
                    assertNull(tr.truncation(), t.tableName());
                }
            }
        }
        // the last dictionary entry is only added in the last batch: it must be there
        try (CaptureReader r = CaptureReader.open(cap); RootAllocator a = new RootAllocator();
             TableReader tr = r.openTable(CaptureTable.THREADS, a)) {
            List<Object[]> back = TableRows.readAll(tr);
            assertEquals("name-" + ((rowsPerTable - 1) / 4), back.get(rowsPerTable - 1)[2]);
        }
    }

    /**
     * Column c of the samples rows in [from, from + n) as little-endian bytes, the way the recorder's shim hands them
     * over; a dictionary column (unwind) as index -1, null: the rows must hold null there (samplesRows).
     */
    static ByteBuffer[] samplesAsColumns(List<Object[]> rows, int from, int n) {
        List<Column> cols = CaptureTable.SAMPLES.columns();
        ByteBuffer[] out = new ByteBuffer[cols.size()];
        for (int c = 0; c < out.length; c++) {
            int width = cols.get(c).kind() == Column.Kind.INT64 ? 8 : 4;
            out[c] = ByteBuffer.allocateDirect(n * width).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < n; r++) {
                Object value = rows.get(from + r)[c];
                long v = value == null ? -1 : ((Number) value).longValue();
                if (width == 8) out[c].putLong(r * 8, v);
                else out[c].putInt(r * 4, (int) v);
            }
        }
        return out;
    }

    /** Samples rows with their dictionary columns null (what samplesAsColumns writes as -1). */
    static List<Object[]> samplesRows(int n) {
        List<Object[]> rows = rowsFor(CaptureTable.SAMPLES, n);
        List<Column> cols = CaptureTable.SAMPLES.columns();
        for (Object[] row : rows)
            for (int c = 0; c < cols.size(); c++) if (cols.get(c).kind() == Column.Kind.DICT_STRING) row[c] = null;
        return rows;
    }

    @Test
    void bulkColumnAppendsRoundTripAcrossBatchBoundariesAndMixWithRowAppends() throws Exception {
        Path cap = tmp.resolve("bulk.cap");
        List<Object[]> rows = samplesRows(1000);
        // batches of 100 rows; bulk chunks of odd sizes so validity bits start and end mid-byte
        // and chunks straddle batch boundaries
        try (CaptureWriter w = CaptureWriter.create(cap, false, 100)) {
            TableWriter t = w.table(CaptureTable.SAMPLES);
            t.seedDictionary("unwind", List.of());
            int at = 0;
            for (int chunk : new int[] {3, 250, 1, 13, 0, 77}) {
                t.appendColumns(chunk, samplesAsColumns(rows, at, chunk));
                at += chunk;
                t.append(rows.get(at++));
            }
            t.appendColumns(rows.size() - at, samplesAsColumns(rows, at, rows.size() - at));
            w.writeManifest(new Manifest());
        }
        try (CaptureReader r = CaptureReader.open(cap); RootAllocator a = new RootAllocator();
             TableReader tr = r.openTable(CaptureTable.SAMPLES, a)) {
            assertRowsEqual(rows, TableRows.readAll(tr), "samples appended in bulk");
        }
    }

    @Test
    void bulkAppendCarriesSeededDictionaryIndexesBoolBytesAndMinusOneAsNull() throws Exception {
        Path cap = tmp.resolve("sched.cap");
        List<String> states = List.of("R", "S", "D");
        int n = 21;
        List<String> syscalls = List.of("read", "write", "futex");
        int[] widths = {8, 4, 4, 4, 4, 8, 4, 4, 1};
        ByteBuffer[] cols = new ByteBuffer[widths.length];
        for (int c = 0; c < cols.length; c++) cols[c] = ByteBuffer.allocateDirect(n * widths[c]).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < n; r++) {
            cols[0].putLong(r * 8, 1000L + r);
            cols[1].putInt(r * 4, r % 2);
            cols[2].putInt(r * 4, 100 + r);
            cols[3].putInt(r * 4, r % 3);
            cols[4].putInt(r * 4, 200 + r);
            cols[5].putLong(r * 8, r % 4 == 0 ? -1 : 7L * r);
            cols[6].putInt(r * 4, r % 5 == 0 ? -1 : r % 3);
            cols[7].putInt(r * 4, r % 3 == 2 ? 137 : -1);
            cols[8].put(r, (byte) (r % 7 == 0 ? -1 : r % 2));
        }
        try (CaptureWriter w = CaptureWriter.create(cap, false, 8)) {
            TableWriter t = w.table(CaptureTable.SCHED_SWITCH);
            assertThrows(IllegalArgumentException.class, () -> t.appendColumns(n, cols), "prev_state not seeded yet");
            t.seedDictionary("prev_state", states);
            t.seedDictionary("prev_syscall", syscalls);
            t.appendColumns(n, cols);
            w.writeManifest(new Manifest());
        }
        try (CaptureReader r = CaptureReader.open(cap); RootAllocator a = new RootAllocator();
             TableReader tr = r.openTable(CaptureTable.SCHED_SWITCH, a)) {
            List<Object[]> back = TableRows.readAll(tr);
            assertEquals(n, back.size());
            for (int i = 0; i < n; i++) {
                assertEquals(1000L + i, ((Number) back.get(i)[0]).longValue());
                assertEquals(states.get(i % 3), back.get(i)[3], "row " + i);
                assertEquals(i % 4 == 0 ? null : 7L * i, back.get(i)[5] == null ? null : ((Number) back.get(i)[5]).longValue(), "row " + i);
                assertEquals(i % 5 == 0 ? null : syscalls.get(i % 3), back.get(i)[6], "row " + i);
                assertEquals(i % 3 == 2 ? 137 : null, back.get(i)[7], "row " + i);
                assertEquals(i % 7 == 0 ? null : i % 2 == 1, back.get(i)[8], "bool from one byte, row " + i);
            }
        }
    }

    @Test
    void bulkAppendRefusesTablesWithOptionalOrNonIntegerColumns() throws Exception {
        try (CaptureWriter w = CaptureWriter.create(tmp.resolve("r.cap"), false)) {
            TableWriter frames = w.table(CaptureTable.FRAMES);
            ByteBuffer[] cols = new ByteBuffer[CaptureTable.FRAMES.columns().size()];
            for (int c = 0; c < cols.length; c++) cols[c] = ByteBuffer.allocateDirect(64);
            assertThrows(IllegalArgumentException.class, () -> frames.appendColumns(1, cols));
            TableWriter samples = w.table(CaptureTable.SAMPLES);
            samples.seedDictionary("unwind", List.of());
            ByteBuffer[] shortCols = samplesAsColumns(samplesRows(2), 0, 2);
            assertThrows(IllegalArgumentException.class, () -> samples.appendColumns(3, shortCols));
        }
    }

    @Test
    void tableCutMidBatchIsReadUpToItsLastCompleteBatch() throws Exception {
        Path cap = tmp.resolve("cut.cap");
        List<Long> sizesAfterBatch = new ArrayList<>();
        List<Object[]> rows = rowsFor(CaptureTable.FRAMES, 500);
        try (CaptureWriter w = CaptureWriter.create(cap, false, 100)) {
            for (int i = 0; i < rows.size(); i++) {
                w.table(CaptureTable.FRAMES).append(rows.get(i));
                if ((i + 1) % 100 == 0) sizesAfterBatch.add(Files.size(cap.resolve("frames.arrows")));
            }
            w.writeManifest(new Manifest());
            // no close(): like a recorder killed after its 5th flush
            Path file = cap.resolve("frames.arrows");
            long size = Files.size(file);
            assertEquals(sizesAfterBatch.get(4), size);
            // cut the file in the middle of the 3rd batch
            long cut = (sizesAfterBatch.get(1) + sizesAfterBatch.get(2)) / 2;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            try (CaptureReader r = CaptureReader.open(cap); RootAllocator a = new RootAllocator();
                 TableReader tr = r.openTable(CaptureTable.FRAMES, a)) {
                List<Object[]> back = TableRows.readAll(tr);
                assertRowsEqual(rows.subList(0, 200), back, "frames cut in batch 3");
                assertNotNull(tr.truncation());
                assertTrue(tr.truncation().contains("kept the batches before it"), tr.truncation());
            }
        }
    }

    @Test
    void existingOutputIsRefusedWithoutForceAndNonCapturesAreNeverReplaced() throws Exception {
        Path cap = tmp.resolve("x.cap");
        try (CaptureWriter w = CaptureWriter.create(cap, false)) {
            w.writeManifest(new Manifest());
        }
        CaptureException e = assertThrows(CaptureException.class, () -> CaptureWriter.create(cap, false));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        try (CaptureWriter w = CaptureWriter.create(cap, true)) {
            w.writeManifest(new Manifest());
        }
        Path notCapture = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(notCapture.resolve("thesis.tex"), "precious");
        e = assertThrows(CaptureException.class, () -> CaptureWriter.create(notCapture, true));
        assertTrue(e.getMessage().contains("not a capture"), e.getMessage());
        assertTrue(Files.exists(notCapture.resolve("thesis.tex")));
    }

    @Test
    void notACaptureGivesOneClearLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("random.txt"), "hello, not a tar");
        CaptureException e = assertThrows(CaptureException.class, () -> CaptureReader.open(file));
        assertTrue(e.getMessage().contains("is not a capture"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        Path dir = Files.createDirectory(tmp.resolve("empty"));
        e = assertThrows(CaptureException.class, () -> CaptureReader.open(dir));
        assertTrue(e.getMessage().contains("no manifest.json"), e.getMessage());
        e = assertThrows(CaptureException.class, () -> CaptureReader.open(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("no such capture"), e.getMessage());
    }

    @Test
    void packedCaptureReadsLikeTheDirectory() throws Exception {
        Path cap = tmp.resolve("p.cap");
        try (CaptureWriter w = CaptureWriter.create(cap, false, 8)) {
            for (Object[] row : rowsFor(CaptureTable.SAMPLES, 20)) w.table(CaptureTable.SAMPLES).append(row);
            w.writeManifest(new Manifest());
        }
        Path tar = tmp.resolve("p.cap.tar");
        CaptureArchive.pack(cap, tar);
        try (CaptureReader r = CaptureReader.open(tar); RootAllocator a = new RootAllocator();
             TableReader tr = r.openTable(CaptureTable.SAMPLES, a)) {
            assertRowsEqual(rowsFor(CaptureTable.SAMPLES, 20), TableRows.readAll(tr), "samples from tar");
        }
    }
}
