package dev.profiler.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Appends rows to one capture table and writes them as ZSTD-compressed
 * record batches of an Arrow IPC stream. A batch is written when it is full
 * or when {@link #flushIfOlderThan} says it waited long enough, so a
 * recorder killed at any moment leaves every batch before that moment
 * readable.
 *
 * Dictionary-encoded columns keep one growing dictionary per column; it is
 * re-sent (whole, same id) before a batch whenever it grew, which the IPC
 * file format cannot do. The stream is written by {@link IpcStreamOut}.
 */
public final class TableWriter implements AutoCloseable {
    private final CaptureTable table;
    private final FieldVector[] vectors;
    private final Dictionaries dictionaries;
    private final IpcStreamOut writer;
    private final BatchedChannel channel;
    private final int batchRows;
    /** Per dictionary column: bulk appends carry its indexes (see seedDictionary). */
    private final boolean[] bulkDictionary;
    private int rows;
    private long rowsWritten;
    /** The stream's batches are written by another writer (see handOver). */
    private boolean handedOver;
    /** Where the batches go instead of writer, if set (see writeBatchesThrough). */
    private BatchSink sink;
    /** When the oldest pending row came (valid while rows > 0). */
    private long firstPendingNanos;

    TableWriter(CaptureTable table, BufferAllocator allocator, FileChannel out, int batchRows) throws IOException {
        this(table, allocator, out, batchRows, CommonsCompressionFactory.INSTANCE);
    }

    /** codecs: where the ZSTD codec comes from (a CaptureWriter shares one zstd context among its tables). */
    TableWriter(CaptureTable table, BufferAllocator allocator, FileChannel out, int batchRows,
                CompressionCodec.Factory codecs) throws IOException {
        this.table = table;
        this.batchRows = batchRows;
        List<Column> columns = table.columns();
        this.vectors = new FieldVector[columns.size()];
        this.dictionaries = new Dictionaries(table, allocator);
        this.bulkDictionary = new boolean[vectors.length];
        this.channel = new BatchedChannel(out);
        this.writer = new IpcStreamOut(channel, codecs.createCodec(CompressionUtil.CodecType.ZSTD));
        try {
            for (int c = 0; c < vectors.length; c++) {
                vectors[c] = CaptureSchemas.field(columns.get(c), c).createVector(allocator);
                vectors[c].allocateNew();
            }
            writer.writeSchema(CaptureSchemas.messageFields(table));
            channel.drain();
        } catch (IOException | RuntimeException e) {
            closeVectors();
            throw e;
        }
    }

    public CaptureTable table() { return table; }

    /** Rows written to the file so far (not counting the pending batch). */
    public long rowsWritten() { return rowsWritten; }

    /**
     * Appends one row: values in column order. Types: Long/Integer/Short
     * (any Number) for integer columns, Boolean, String, long[] for lists,
     * null for a missing optional value.
     */
    public void append(Object... values) throws IOException {
        checkNotHandedOver();
        List<Column> columns = table.columns();
        if (values.length != columns.size())
            throw new IllegalArgumentException(table.tableName() + ": expected " + columns.size()
                + " values, got " + values.length);
        for (int c = 0; c < values.length; c++) set(c, columns.get(c), values[c]);
        if (rows == 0) firstPendingNanos = System.nanoTime();
        rows++;
        if (rows >= batchRows) flush();
    }

    /**
     * Gives a dictionary-encoded column its first values, in this order, so
     * that bulk appends can carry their indexes (value i is index i). Only
     * before any row uses the column.
     */
    public void seedDictionary(String column, List<String> values) {
        int c = table.columnIndex(column);
        if (table.columns().get(c).kind() != Column.Kind.DICT_STRING)
            throw new IllegalArgumentException(table.tableName() + "." + column + " is not dictionary-encoded");
        if (dictionaries.size(c) != 0) throw new IllegalStateException(table.tableName() + "." + column + " already has values");
        for (String v : values) dictionaries.indexOf(c, v);
        bulkDictionary[c] = true;
    }

    /**
     * The index of value in a dictionary column, added if new: for bulk
     * appends whose index values are found as they come (after
     * {@link #seedDictionary}, possibly with no values).
     */
    public int dictionaryIndex(String column, String value) {
        int c = table.columnIndex(column);
        if (!bulkDictionary[c]) throw new IllegalStateException(table.tableName() + "." + column + " was not seeded");
        return dictionaries.indexOf(c, value);
    }

    /**
     * Appends n rows given as columns: data[c] holds n little-endian values
     * of column c's width from its position 0 (a bool column: one byte each). Integer and bool columns, and
     * dictionary columns seeded with {@link #seedDictionary} (the values are
     * indexes); in an optional column, -1 stands for null. One bulk copy per
     * column instead of a call per value: the recorder's per-event path (see
     * docs/design.md).
     */
    public void appendColumns(int n, ByteBuffer... data) throws IOException {
        checkNotHandedOver();
        List<Column> columns = table.columns();
        if (data.length != columns.size())
            throw new IllegalArgumentException(table.tableName() + ": expected " + columns.size()
                + " columns, got " + data.length);
        for (int c = 0; c < data.length; c++) {
            Column col = columns.get(c);
            boolean bulk = switch (col.kind()) {
                case INT64, INT32, INT16, BOOL -> true;
                case DICT_STRING -> bulkDictionary[c];
                default -> false;
            };
            if (!bulk)
                throw new IllegalArgumentException(table.tableName() + "." + col.name() + " cannot be appended in bulk");
            if (data[c].limit() < (long) n * sourceWidth(c))
                throw new IllegalArgumentException(table.tableName() + "." + col.name() + ": column data shorter than "
                    + n + " values");
        }
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, batchRows - rows);
            for (int c = 0; c < data.length; c++) {
                if (vectors[c] instanceof BitVector bits) {
                    appendBits(bits, columns.get(c).nullable(), data[c], done, chunk);
                    continue;
                }
                BaseFixedWidthVector v = (BaseFixedWidthVector) vectors[c];
                int width = v.getTypeWidth();
                while (v.getValueCapacity() < rows + chunk) v.reAlloc();
                v.getDataBuffer().setBytes((long) rows * width, data[c], done * width, chunk * width);
                if (columns.get(c).nullable()) setValidUnlessMinusOne(v, data[c], done, rows, chunk);
                else setValid(v.getValidityBuffer(), rows, chunk);
            }
            if (rows == 0) firstPendingNanos = System.nanoTime();
            rows += chunk;
            done += chunk;
            if (rows >= batchRows) flush();
        }
    }

    /** Bytes per value of column c in appendColumns' data: a bool column takes one byte a value. */
    private int sourceWidth(int c) {
        return vectors[c] instanceof BitVector ? 1 : ((BaseFixedWidthVector) vectors[c]).getTypeWidth();
    }

    /** Bool values given one byte each (0 false, else true; -1 null in an optional column). */
    private void appendBits(BitVector v, boolean nullable, ByteBuffer src, int from, int count) {
        while (v.getValueCapacity() < rows + count) v.reAlloc();
        for (int i = 0; i < count; i++) {
            byte b = src.get(from + i);
            if (nullable && b == -1) v.setNull(rows + i);
            else v.set(rows + i, b != 0 ? 1 : 0);
        }
    }

    /** Validity of an optional column from its values: -1 is null. */
    private static void setValidUnlessMinusOne(BaseFixedWidthVector v, ByteBuffer src, int from, int to, int count) {
        int width = v.getTypeWidth();
        ArrowBuf validity = v.getValidityBuffer();
        for (int i = 0; i < count; i++) {
            int at = (from + i) * width;
            long value = width == 8 ? src.getLong(at) : width == 4 ? src.getInt(at) : src.getShort(at);
            if (value != -1) BitVectorHelper.setBit(validity, to + i);
        }
    }

    /** Sets validity bits [from, from + count): whole bytes at once, bit by bit at the edges. */
    private static void setValid(ArrowBuf validity, int from, int count) {
        int i = from, end = from + count;
        for (; i < end && (i & 7) != 0; i++) BitVectorHelper.setBit(validity, i);
        int wholeBytes = (end - i) >>> 3;
        if (wholeBytes > 0) {
            validity.setOne(i >>> 3, wholeBytes);
            i += wholeBytes << 3;
        }
        for (; i < end; i++) BitVectorHelper.setBit(validity, i);
    }

    private void set(int c, Column col, Object v) {
        FieldVector vec = vectors[c];
        if (v == null) {
            if (!col.nullable()) throw new IllegalArgumentException(table.tableName() + "." + col.name() + " may not be null");
            if (vec instanceof ListVector list) list.setNull(rows);
            else vec.setNull(rows);
            return;
        }
        switch (col.kind()) {
            case INT64 -> ((BigIntVector) vec).setSafe(rows, ((Number) v).longValue());
            case INT32 -> ((IntVector) vec).setSafe(rows, ((Number) v).intValue());
            case INT16 -> ((SmallIntVector) vec).setSafe(rows, ((Number) v).shortValue());
            case BOOL -> ((BitVector) vec).setSafe(rows, ((Boolean) v) ? 1 : 0);
            case STRING -> ((VarCharVector) vec).setSafe(rows, ((String) v).getBytes(StandardCharsets.UTF_8));
            case DICT_STRING -> ((IntVector) vec).setSafe(rows, dictionaries.indexOf(c, (String) v));
            case INT64_LIST -> {
                // Straight into the list's offsets and its values vector: the
                // generic UnionListWriter was ~9% of the recorder's CPU in a
                // build's recording (5k new stacks a second, 40 frames each).
                ListVector list = (ListVector) vec;
                long[] xs = (long[]) v;
                BigIntVector values = (BigIntVector) list.getDataVector();
                int start = list.startNewValue(rows);
                for (int i = 0; i < xs.length; i++) values.setSafe(start + i, xs[i]);
                list.endValue(rows, xs.length);
            }
        }
    }

    /**
     * Leaves the rest of the stream to another writer, which appends record
     * batches of the table's columns (the recorder's shim, native/ipc_writer.c)
     * and ends the stream: writes every dictionary now (they must be seeded
     * whole, see seedDictionary: none may grow later) and everything before
     * it, then writes nothing more, not even the end of the stream.
     * Only before any row. addRowsWrittenElsewhere counts the other
     * writer's rows in rowsWritten.
     */
    public void handOver() throws IOException {
        if (rows != 0 || rowsWritten != 0) throw new IllegalStateException(table.tableName() + " has rows already");
        dictionaries.writeGrown(writer);
        channel.drain();
        handedOver = true;
    }

    /** Rows the writer this table was handed over to wrote (see handOver). */
    public void addRowsWrittenElsewhere(long n) {
        if (!handedOver) throw new IllegalStateException(table.tableName() + " was not handed over");
        rowsWritten += n;
    }

    /**
     * From now on, the batches and the dictionaries that grew before them go
     * to the sink opener gives (the recorder's shim), which appends them to
     * this file: rows still come through append, and dictionaries grow
     * here, but no Arrow serializer, flatbuffer or zstd call runs in Java
     * for a batch. Writes what is pending first, then opens the sink on
     * file (this table's).
     */
    void writeBatchesThrough(BatchSink.Opener opener, Path file) throws IOException {
        checkNotHandedOver();
        if (sink != null) throw new IllegalStateException(table.tableName() + " has a sink already");
        flush();
        sink = opener.open(file);
    }

    private void checkNotHandedOver() {
        if (handedOver) throw new IllegalStateException(table.tableName() + " is written by another writer now");
    }

    /** Writes the pending rows as one record batch, if there are any. */
    public void flush() throws IOException {
        if (rows == 0) return;
        for (FieldVector v : vectors) v.setValueCount(rows);
        dictionaries.writeGrown(writer);
        if (sink != null) {
            try {
                writeToSink();
            } finally {
                channel.discardCollected();
            }
        } else {
            writer.writeBatch(rows, vectors);
            channel.drain();
        }
        rowsWritten += rows;
        rows = 0;
        // Keep the buffers for the next batch: releasing and re-allocating
        // them every flush kept the allocator's slow paths busy.
        for (FieldVector v : vectors) v.reset();
    }

    /**
     * Hands the pending batch to the sink: (length, null count) of each field
     * node, a column's then its children's, and (address, length) of each of
     * their buffers in the same order.
     */
    private void writeToSink() throws IOException {
        List<FieldVector> all = new ArrayList<>();
        for (FieldVector v : vectors) withChildren(v, all);
        long[] nodes = new long[2 * all.size()];
        List<ArrowBuf> bufs = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            FieldVector v = all.get(i);
            nodes[2 * i] = v.getValueCount();
            nodes[2 * i + 1] = v.getNullCount();
            bufs.addAll(v.getFieldBuffers()); // sets each buffer's length (writer index)
        }
        long[] buffers = new long[2 * bufs.size()];
        for (int i = 0; i < bufs.size(); i++) {
            buffers[2 * i] = bufs.get(i).memoryAddress();
            buffers[2 * i + 1] = bufs.get(i).writerIndex();
        }
        sink.write(channel.collected(), rows, nodes, buffers);
    }

    private static void withChildren(FieldVector v, List<FieldVector> out) {
        out.add(v);
        for (FieldVector child : v.getChildrenFromFields()) withChildren(child, out);
    }

    /** Nanoseconds until flushIfOlderThan(maxAgeNanos) would flush (0: due now), or Long.MAX_VALUE with no rows pending. */
    public long nanosUntilFlush(long maxAgeNanos) {
        if (rows == 0) return Long.MAX_VALUE;
        return Math.max(0, firstPendingNanos + maxAgeNanos - System.nanoTime());
    }

    /** Flushes if the pending rows have waited at least maxAgeNanos. */
    public void flushIfOlderThan(long maxAgeNanos) throws IOException {
        if (rows > 0 && System.nanoTime() - firstPendingNanos >= maxAgeNanos) flush();
    }

    @Override
    public void close() throws IOException {
        try (channel) { // closing it writes what is left and closes the file
            flush();
            if (sink != null) sink.close();
            else if (!handedOver) writer.writeEndOfStream();
        } finally {
            closeVectors();
        }
    }

    private void closeVectors() {
        for (FieldVector v : vectors)
            if (v != null) v.close();
        dictionaries.close();
    }

    /** One growing string dictionary per dictionary-encoded column. */
    private static final class Dictionaries implements AutoCloseable {
        final VarCharVector[] values;
        final Map<String, Integer>[] index;
        /** Per column: values the stream has (-1: none sent yet, not even an empty dictionary). */
        final int[] sent;

        @SuppressWarnings("unchecked")
        Dictionaries(CaptureTable table, BufferAllocator allocator) {
            List<Column> columns = table.columns();
            values = new VarCharVector[columns.size()];
            index = new Map[columns.size()];
            sent = new int[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                Column col = columns.get(c);
                if (col.kind() != Column.Kind.DICT_STRING) continue;
                values[c] = (VarCharVector) CaptureSchemas.dictionaryValuesField(col).createVector(allocator);
                values[c].allocateNew();
                index[c] = new HashMap<>();
                sent[c] = -1;
            }
        }

        /**
         * Sends every dictionary that grew since it was last sent, in id
         * order, each whole: a reader keeps the last one it saw per id.
         * Every dictionary goes before the first batch, even empty.
         */
        void writeGrown(IpcStreamOut out) throws IOException {
            for (int c = 0; c < values.length; c++) {
                if (values[c] == null || sent[c] == values[c].getValueCount()) continue;
                out.writeDictionary(CaptureSchemas.dictionaryId(c), values[c]);
                sent[c] = values[c].getValueCount();
            }
        }

        int size(int column) {
            return index[column].size();
        }

        int indexOf(int column, String value) {
            Integer i = index[column].get(value);
            if (i != null) return i;
            int next = index[column].size();
            values[column].setSafe(next, value.getBytes(StandardCharsets.UTF_8));
            values[column].setValueCount(next + 1);
            index[column].put(value, next);
            return next;
        }

        @Override
        public void close() {
            for (VarCharVector v : values)
                if (v != null) v.close();
        }
    }
}
