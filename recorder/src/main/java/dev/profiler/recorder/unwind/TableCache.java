package dev.profiler.recorder.unwind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Unwind tables kept between recordings, one file per build id: building
 * libLLVM's (818k rows) takes the recorder ~0.3-0.6 s, during which a new
 * clang's samples only get frame-pointer steps; read back, it is a file
 * read. The directory is the recorder's own (created 0700); a file that
 * does not read back whole and consistent is ignored and rebuilt, so a
 * damaged cache can cost time, never a wrong row. Kept under a size cap,
 * the least recently written files going first.
 *
 * File: "PRUNW002", u64 first page, u32 pages, u32 rows, u32 rules; rules
 * (u8 cfa, u8 rbp, u16 0, s32 cfa offset, s32 rbp offset); u32 first row
 * and u32 row count per page; u32 rows (pc low 16 bits | rule << 16);
 * the CRC-32 of all that. Little-endian.
 */
public final class TableCache {
    /** 002: tables hold .debug_frame's rows too (a 001 file is rebuilt). */
    private static final byte[] MAGIC = "PRUNW002".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final Pattern BUILD_ID = Pattern.compile("[0-9a-f]{8,80}");
    private static final int HEADER = 8 + 8 + 4 + 4 + 4, RULE_BYTES = 12;

    private final Path dir;
    private final long capBytes;

    /** A cache in dir (created if missing, owner-only), of at most capBytes. */
    public TableCache(Path dir, long capBytes) {
        this.dir = dir;
        this.capBytes = capBytes;
    }

    /** The default place: /var/cache/profiler-rec/unwind as root, else the user's cache directory. */
    public static TableCache defaultCache() {
        Path dir;
        if ("root".equals(System.getProperty("user.name"))) dir = Path.of("/var/cache/profiler-rec/unwind");
        else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            dir = (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("profiler-rec/unwind");
        }
        return new TableCache(dir, 512L << 20);
    }

    /** The table of the file with this build id, or null if not kept (or not readable whole). */
    PagedRows load(String buildId) {
        if (!BUILD_ID.matcher(buildId).matches()) return null;
        Path file = dir.resolve(buildId + ".rows");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + 4 || size > (1L << 31) - 8) return null;
            ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) if (ch.read(b) < 0) return null;
            b.flip();
            return parse(b);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Keeps a table; a failure to write only means no cache. */
    void store(String buildId, PagedRows t) {
        if (!BUILD_ID.matcher(buildId).matches()) return;
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            ByteBuffer b = ByteBuffer.allocate(HEADER + t.rules.size() * RULE_BYTES + t.pageFirst.length * 8 + t.rows.length * 4
                + 4).order(ByteOrder.LITTLE_ENDIAN);
            b.put(MAGIC).putLong(t.firstPage).putInt(t.pageFirst.length).putInt(t.rows.length).putInt(t.rules.size());
            for (UnwindTable.Rule r : t.rules)
                b.put(r.cfa()).put(r.rbp()).putShort((short) 0).putInt(r.cfaOffset()).putInt(r.rbpOffset());
            for (int p = 0; p < t.pageFirst.length; p++) b.putInt(t.pageFirst[p]).putInt(t.pageCount[p]);
            for (int r : t.rows) b.putInt(r);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(b.array(), 0, b.position());
            b.putInt((int) crc.getValue());
            b.flip();
            Path tmp = Files.createTempFile(dir, buildId, ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                while (b.hasRemaining()) ch.write(b);
            }
            Files.move(tmp, dir.resolve(buildId + ".rows"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            trim();
        } catch (IOException | RuntimeException e) {
            // a read-only or full disk: tables are built again next time
        }
    }

    /** Drops the oldest files while the cache is over its cap. */
    private void trim() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(f -> f.getFileName().toString().endsWith(".rows")).forEach(files::add);
        }
        long total = 0;
        for (Path f : files) total += Files.size(f);
        if (total <= capBytes) return;
        files.sort(Comparator.comparingLong(f -> {
            try {
                return Files.getLastModifiedTime(f).toMillis();
            } catch (IOException e) {
                return 0L;
            }
        }));
        for (Path f : files) {
            if (total <= capBytes) break;
            total -= Files.size(f);
            Files.deleteIfExists(f);
        }
    }

    /** A table read back, or null where anything is out of range: the walker must never get a bad row from here. */
    static PagedRows parse(ByteBuffer b) {
        if (b.remaining() < HEADER + 4) return null;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), b.arrayOffset() + b.position(), b.remaining() - 4);
        if ((int) crc.getValue() != b.getInt(b.limit() - 4)) return null;
        b.limit(b.limit() - 4);
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) return null;
        long firstPage = b.getLong();
        int pages = b.getInt(), rows = b.getInt(), rules = b.getInt();
        if (pages <= 0 || pages > (1 << 20) || rows <= 0 || rows > (1 << 28) || rules < 2 || rules > PagedRows.MAX_RULES
            || firstPage < 0 || firstPage > (1L << 40)) return null;
        if (b.remaining() != (long) rules * RULE_BYTES + (long) pages * 8 + (long) rows * 4) return null;
        List<UnwindTable.Rule> ruleList = new ArrayList<>(rules);
        for (int i = 0; i < rules; i++) {
            byte cfa = b.get(), rbp = b.get();
            b.getShort();
            int cfaOffset = b.getInt(), rbpOffset = b.getInt();
            if (cfa < UnwindTable.NONE || cfa > UnwindTable.END || rbp < UnwindTable.RBP_KEEP || rbp > UnwindTable.RBP_AT_CFA
                || rbpOffset != (short) rbpOffset) return null;
            ruleList.add(new UnwindTable.Rule(cfa, cfaOffset, rbp, rbpOffset));
        }
        if (!ruleList.get(0).equals(UnwindTable.Rule.NONE) || !ruleList.get(1).equals(UnwindTable.Rule.END)) return null;
        int[] pageFirst = new int[pages], pageCount = new int[pages];
        for (int p = 0; p < pages; p++) {
            pageFirst[p] = b.getInt();
            pageCount[p] = b.getInt();
            if (pageFirst[p] < 0 || pageCount[p] < 0 || pageCount[p] > (1 << 16) || (long) pageFirst[p] + pageCount[p] > rows)
                return null;
        }
        int[] rowArray = new int[rows];
        for (int r = 0; r < rows; r++) {
            rowArray[r] = b.getInt();
            if ((rowArray[r] >>> 16) >= rules) return null;
        }
        // the walker's binary search wants each page's rows in pc order
        for (int p = 0; p < pages; p++)
            for (int r = pageFirst[p] + 1; r < pageFirst[p] + pageCount[p]; r++)
                if ((rowArray[r] & 0xffff) <= (rowArray[r - 1] & 0xffff)) return null;
        return new PagedRows(firstPage, pageFirst, pageCount, rowArray, List.copyOf(ruleList), 0);
    }
}
