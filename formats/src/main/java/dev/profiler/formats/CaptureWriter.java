package dev.profiler.formats;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Creates a capture directory and writes one Arrow IPC stream per table.
 * Every table file exists from the start (schema only until rows come), so
 * a reader never has to guess whether a table was recorded.
 *
 * A capture holds command lines and stacks of a whole machine: the directory
 * is 0700 and its files 0600.
 */
public final class CaptureWriter implements AutoCloseable {
    public static final int DEFAULT_BATCH_ROWS = 64 * 1024;
    /** The recorder flushes at least this often (DESIGN: at least once a second). */
    public static final long FLUSH_INTERVAL_NANOS = 1_000_000_000L;

    private final Path dir;
    private final BufferAllocator allocator = new RootAllocator();
    /** One zstd context for every table: all are written from the one thread that writes this capture. */
    private final ZstdContextCodec zstd = new ZstdContextCodec();
    private final Map<CaptureTable, TableWriter> tables = new EnumMap<>(CaptureTable.class);

    private CaptureWriter(Path dir, int batchRows) throws IOException {
        this.dir = dir;
        try {
            for (CaptureTable t : CaptureTable.values()) {
                Path file = dir.resolve(t.fileName());
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                tables.put(t, new TableWriter(t, allocator, ch, batchRows, zstd.factory()));
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /**
     * Creates {@code dir} as a new capture. An existing path is refused unless
     * {@code force}, and even then only a previous capture (or an empty
     * directory) is replaced: never an unrelated file or directory.
     */
    public static CaptureWriter create(Path dir, boolean force) throws CaptureException, IOException {
        return create(dir, force, DEFAULT_BATCH_ROWS);
    }

    public static CaptureWriter create(Path dir, boolean force, int batchRows) throws CaptureException, IOException {
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!force)
                throw new CaptureException(dir + " already exists; use --force to replace it");
            if (!Files.isDirectory(dir) || !(isCapture(dir) || isEmpty(dir)))
                throw new CaptureException(dir + " exists and is not a capture; not replacing it");
            deleteCapture(dir);
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
            throw new CaptureException("directory " + parent + " does not exist");
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            throw new CaptureException(dir + " already exists; use --force to replace it");
        }
        return new CaptureWriter(dir, batchRows);
    }

    static boolean isCapture(Path dir) {
        return Files.exists(dir.resolve(CaptureFiles.MANIFEST))
            || Files.exists(dir.resolve(CaptureTable.SAMPLES.fileName()));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteCapture(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    public Path directory() { return dir; }

    public TableWriter table(CaptureTable t) { return tables.get(t); }

    /**
     * Leaves table t's record batches to another writer (TableWriter.handOver)
     * and gives the file it appends them to.
     */
    public Path handOver(CaptureTable t) throws IOException {
        tables.get(t).handOver();
        return dir.resolve(t.fileName());
    }

    /** Table t's batches from now on written by the sink opener opens on its file (TableWriter.writeBatchesThrough). */
    public void writeBatchesThrough(CaptureTable t, BatchSink.Opener opener) throws IOException {
        tables.get(t).writeBatchesThrough(opener, dir.resolve(t.fileName()));
    }

    /** Writes every table's pending rows that waited a second or more. */
    public void flushDue() throws IOException {
        for (TableWriter w : tables.values()) w.flushIfOlderThan(FLUSH_INTERVAL_NANOS);
    }

    /**
     * Milliseconds until {@link #flushDue} has a table to flush (0: now), or
     * Long.MAX_VALUE with no rows pending: a loop that sleeps longer than a
     * second wakes by then, so batches stay about a second apart.
     */
    public long millisUntilFlushDue() {
        long n = Long.MAX_VALUE;
        for (TableWriter w : tables.values()) n = Math.min(n, w.nanosUntilFlush(FLUSH_INTERVAL_NANOS));
        return n == Long.MAX_VALUE ? n : (n + 999_999) / 1_000_000;
    }

    public void flushAll() throws IOException {
        for (TableWriter w : tables.values()) w.flush();
    }

    public void writeManifest(Manifest m) throws IOException {
        m.write(dir);
        Files.setPosixFilePermissions(dir.resolve(CaptureFiles.MANIFEST), PosixFilePermissions.fromString("rw-------"));
    }

    /** Total size of the table files, bytes. */
    public long bytesOnDisk() throws IOException {
        long n = 0;
        for (CaptureTable t : CaptureTable.values()) n += Files.size(dir.resolve(t.fileName()));
        return n;
    }

    public Map<String, Long> rowCounts() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (TableWriter w : tables.values()) m.put(w.table().tableName(), w.rowsWritten());
        return m;
    }

    private boolean closed;

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        IOException first = null;
        for (TableWriter w : tables.values()) {
            try {
                w.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        allocator.close();
        zstd.close();
        if (first != null) throw first;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException ignored) {
            // already failing; the first error is the one to report
        }
    }
}
