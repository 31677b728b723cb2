package dev.profiler.formats;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** A capture directory packed as one {@code .cap.tar}, for sharing. */
public final class CaptureArchive {
    private CaptureArchive() {}

    /** Packs the files of a capture directory (flat) into a tar. */
    public static void pack(Path captureDir, Path tar) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar));
             TarArchiveOutputStream t = new TarArchiveOutputStream(out);
             Stream<Path> files = Files.list(captureDir)) {
            for (Path f : files.sorted().toList()) {
                if (!Files.isRegularFile(f)) continue;
                TarArchiveEntry e = new TarArchiveEntry(f.toFile(), f.getFileName().toString());
                t.putArchiveEntry(e);
                Files.copy(f, t);
                t.closeArchiveEntry();
            }
            t.finish();
        }
    }

    static Path unpackToTemp(Path tar) throws CaptureException {
        Path dir = null;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tar));
             TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            dir = Files.createTempDirectory("capture-");
            ArchiveEntry e;
            int n = 0;
            while ((e = t.getNextEntry()) != null) {
                String name = Path.of(e.getName()).getFileName().toString();
                if (e.isDirectory() || name.startsWith(".")) continue;
                Files.copy(t, dir.resolve(name)); // flat: no path from the archive is trusted
                n++;
            }
            if (n == 0) throw new IOException("no files in it");
            return dir;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(dir);
            throw new CaptureException(tar + " is not a capture (neither a capture directory nor a readable .cap.tar: "
                + TableReader.oneLine(e) + ")");
        }
    }

    static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
