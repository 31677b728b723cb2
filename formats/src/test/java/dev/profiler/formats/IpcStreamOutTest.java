package dev.profiler.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TableWriter's streams (IpcStreamOut) are what Arrow's own ArrowStreamWriter
 * writes for the same batches and dictionaries, byte for byte: each stream
 * is read back and written again by ArrowStreamWriter, batch by batch, with
 * the dictionaries as the reader saw them at that batch (Arrow's writer
 * re-sends a dictionary when its values differ from the last one sent).
 */
class IpcStreamOutTest {
    @TempDir Path dir;

    @Test
    void dictionariesThatGrowAndNullsMatchArrowsWriter() throws Exception {
        byte[] ours = write(CaptureTable.SCHED_WAKEUP, 2, w -> {
            w.append(10L, 0, 100, 1, 0, "waking", null);
            w.append(11L, 1, 101, 2, 1, "wakeup", "irq"); // a full batch: both dictionaries go first
            w.append(12L, 0, 102, 0, 1, "waking", null);
            w.append(13L, 1, 103, 2, 0, "wakeup", "irq"); // nothing new: no dictionary re-sent
            w.append(14L, 1, 104, 2, 0, "wakeup_new", "softirq"); // both grew: both re-sent
        });
        assertEquals(3, countBatches(ours));
        assertArrayEquals(rewrittenByArrow(ours), ours);
    }

    @Test
    void listsBoolsAndBulkAppendedColumnsMatchArrowsWriter() throws Exception {
        byte[] ours = write(CaptureTable.STACKS, 2, w -> {
            w.append(1L, new long[] {5, 6, 7}, (short) 1, false);
            w.append(2L, new long[] {}, (short) 0, true);
            w.append(3L, new long[] {8}, (short) 1, true);
        });
        assertEquals(2, countBatches(ours));
        assertArrayEquals(rewrittenByArrow(ours), ours);
        byte[] seeded = write(CaptureTable.SAMPLES, 4, w -> {
            w.seedDictionary("unwind", List.of("complete", "fell_back"));
            w.append(1L, 0, 7, 7, 1L, 1000L, "complete");
            w.append(2L, 1, 0, 0, 2L, 1000L, null);
            w.append(3L, 1, 8, 9, 1L, 1000L, "truncated"); // grows the seeded dictionary
        });
        assertArrayEquals(rewrittenByArrow(seeded), seeded);
    }

    @Test
    void aTableWithNoRowsIsTheSchemaAndTheEndMarker() throws Exception {
        byte[] ours = write(CaptureTable.FRAMES, 8, w -> {});
        assertEquals(0, countBatches(ours));
        assertArrayEquals(rewrittenByArrow(ours), ours);
    }

    private interface Rows {
        void write(TableWriter w) throws Exception;
    }

    private byte[] write(CaptureTable table, int batchRows, Rows rows) throws Exception {
        Path file = dir.resolve(table.fileName());
        try (BufferAllocator a = new RootAllocator();
             TableWriter w = new TableWriter(table, a, FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                 StandardOpenOption.WRITE), batchRows)) {
            rows.write(w);
        }
        return Files.readAllBytes(file);
    }

    private byte[] rewrittenByArrow(byte[] stream) throws Exception {
        Path file = dir.resolve("by-arrow.arrows");
        Files.deleteIfExists(file);
        try (BufferAllocator a = new RootAllocator();
             ArrowStreamReader in = new ArrowStreamReader(new ByteArrayInputStream(stream), a,
                 CommonsCompressionFactory.INSTANCE);
             FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ArrowStreamWriter w = new ArrowStreamWriter(in.getVectorSchemaRoot(), in, out, IpcOption.DEFAULT,
                 CommonsCompressionFactory.INSTANCE, CompressionUtil.CodecType.ZSTD)) {
            w.start();
            while (in.loadNextBatch()) w.writeBatch();
            w.end();
        }
        return Files.readAllBytes(file);
    }

    private static int countBatches(byte[] stream) throws Exception {
        int n = 0;
        try (BufferAllocator a = new RootAllocator();
             ArrowStreamReader in = new ArrowStreamReader(new ByteArrayInputStream(stream), a,
                 CommonsCompressionFactory.INSTANCE)) {
            while (in.loadNextBatch()) n++;
        }
        return n;
    }
}
