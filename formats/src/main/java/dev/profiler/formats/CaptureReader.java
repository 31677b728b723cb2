package dev.profiler.formats;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Opens a capture: a {@code NAME.cap/} directory, or the same packed as a
 * {@code .cap.tar}. Checks that it is one (manifest.json present and
 * readable) so that every tool fails on a wrong path with one clear line.
 */
public final class CaptureReader implements AutoCloseable {
    private final Path dir;
    private final Manifest manifest;
    private final Path unpackedTemp; // non-null when opened from a .tar

    private CaptureReader(Path dir, Manifest manifest, Path unpackedTemp) {
        this.dir = dir;
        this.manifest = manifest;
        this.unpackedTemp = unpackedTemp;
    }

    public static CaptureReader open(Path path) throws CaptureException {
        if (!Files.exists(path)) throw new CaptureException(path + ": no such capture");
        Path temp = null;
        Path dir = path;
        if (Files.isRegularFile(path)) {
            temp = CaptureArchive.unpackToTemp(path);
            dir = temp;
        }
        if (!Files.isRegularFile(dir.resolve(CaptureFiles.MANIFEST))) {
            CaptureArchive.deleteQuietly(temp);
            throw new CaptureException(path + " is not a capture (no " + CaptureFiles.MANIFEST + ")");
        }
        try {
            Manifest m = Manifest.read(dir);
            if (m.formatVersion > CaptureFiles.FORMAT_VERSION)
                throw new CaptureException(path + ": capture format " + m.formatVersion
                    + " is newer than this tool reads (" + CaptureFiles.FORMAT_VERSION + "); update the tools");
            return new CaptureReader(dir, m, temp);
        } catch (IOException e) {
            CaptureArchive.deleteQuietly(temp);
            throw new CaptureException(path + ": " + CaptureFiles.MANIFEST + " is not valid ("
                + TableReader.oneLine(e) + ")");
        }
    }

    public Path directory() { return dir; }

    public Manifest manifest() { return manifest; }

    public boolean hasTable(CaptureTable t) {
        return Files.isRegularFile(dir.resolve(t.fileName()));
    }

    /**
     * A reader over one table. Returns null when the file is missing or too
     * short to hold even its schema (a recorder killed at once): the caller
     * then treats the table as empty, with the columns of its {@link CaptureTable}.
     */
    public TableReader openTable(CaptureTable t, BufferAllocator allocator) throws IOException {
        Path file = dir.resolve(t.fileName());
        if (!Files.isRegularFile(file)) return null;
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        TableReader r = new TableReader(t, in, allocator);
        try {
            r.getVectorSchemaRoot(); // reads the schema
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            return null;
        }
    }

    @Override
    public void close() {
        CaptureArchive.deleteQuietly(unpackedTemp);
    }
}
