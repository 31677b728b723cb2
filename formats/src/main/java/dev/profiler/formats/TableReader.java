package dev.profiler.formats;

import java.io.IOException;
import java.io.InputStream;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * Reads one table's Arrow IPC stream, batch by batch, and stops cleanly at
 * a batch that was cut short (a recorder killed mid-write, a disk that
 * filled): every complete batch before it is returned, and
 * {@link #truncation()} says what happened instead of an exception.
 */
public final class TableReader extends ArrowStreamReader {
    private final CaptureTable table;
    private String truncation;

    TableReader(CaptureTable table, InputStream in, BufferAllocator allocator) {
        super(in, allocator, CommonsCompressionFactory.INSTANCE);
        this.table = table;
    }

    public CaptureTable table() { return table; }

    @Override
    public boolean loadNextBatch() throws IOException {
        if (truncation != null) return false;
        try {
            return super.loadNextBatch();
        } catch (IOException | RuntimeException e) {
            // A partial message at the end of the stream; what came before is good.
            truncation = table.tableName() + ": stream ends inside a batch after "
                + bytesRead() + " bytes (" + oneLine(e) + "); kept the batches before it";
            return false;
        }
    }

    /** Null if the stream ended properly (or is still being written); else why it stopped. */
    public String truncation() { return truncation; }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
