package dev.profiler.recorder.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One table's rows of a batch, as the columns the shim filled (or, for a
 * test, columns made to its layout): looked up by name, and the capture
 * columns handed to the writer in one piece.
 */
public final class BatchColumns {
    private final BatchLayout.Table table;
    private final int rows;
    private final ByteBuffer[] data;

    BatchColumns(BatchLayout.Table table, int rows, ByteBuffer[] data) {
        this.table = table;
        this.rows = rows;
        this.data = data;
    }

    /** Zeroed columns for rows rows, laid out as the shim lays out this table (tests, class-archive training). */
    public static BatchColumns allocate(BatchLayout.Table table, int rows) {
        ByteBuffer[] data = new ByteBuffer[table.widths().length];
        for (int c = 0; c < data.length; c++)
            data[c] = ByteBuffer.allocateDirect(Math.max(1, rows * table.widths()[c])).order(ByteOrder.LITTLE_ENDIAN);
        return new BatchColumns(table, rows, data);
    }

    public BatchLayout.Table table() { return table; }

    public int rows() { return rows; }

    /** A column's values by name, little-endian, at the width the shim gives it. */
    public ByteBuffer column(String name) { return data[table.column(name)]; }

    /** The columns the capture table has, in its order. */
    public ByteBuffer[] captureColumns() { return Arrays.copyOf(data, table.captureColumns()); }
}
