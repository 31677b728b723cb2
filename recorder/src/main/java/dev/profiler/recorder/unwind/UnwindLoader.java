package dev.profiler.recorder.unwind;

import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Gives the BPF walker the unwind tables of every file a recorded process
 * maps: builds each file's table once (keyed by build id, else by device,
 * inode, size and mtime), writes it into the shared row and page arrays,
 * and writes each process's mappings with their load bias. Tables no
 * process maps any more stay loaded until their room is needed (a build
 * runs the same compiler a thousand times), then the least recently used
 * goes. A file whose table cannot be built (no .eh_frame, damaged, no
 * room) gets none: its frames take frame-pointer steps, and it is counted.
 */
public final class UnwindLoader {
    static final int RULE_NONE = PagedRows.RULE_NONE, RULE_END = PagedRows.RULE_END;
    /** struct prof_unwind_mapping and prof_unwind_process (bpf/profiler.h). */
    static final int MAPPING_BYTES = 40, MAX_MAPPINGS = 128, PROCESS_BYTES = 8 + MAX_MAPPINGS * MAPPING_BYTES;

    /** A table in the BPF arrays. */
    private static final class Loaded {
        final String key;
        final long rowFirst, pageBase, firstPage;
        final int rowCount, pageCount;
        int refs;
        long lastUsed;

        Loaded(String key, long rowFirst, int rowCount, long pageBase, long firstPage, int pageCount) {
            this.key = key;
            this.rowFirst = rowFirst;
            this.rowCount = rowCount;
            this.pageBase = pageBase;
            this.firstPage = firstPage;
            this.pageCount = pageCount;
        }
    }

    private record Entry(long start, long end, long bias, Loaded table) {
        boolean sameAs(Entry o) {
            return start == o.start && end == o.end && bias == o.bias && table == o.table;
        }
    }

    /** What the manifest reports. */
    public record Stats(int tables, long rows, long pages, long rowCapacity, int filesWithoutTable, int evictions,
                        int mappingsLeftOut, int rowsWithoutRule, int fromCache, long buildMillis,
                        Map<String, String> noTable) {}

    private final UnwindMaps maps;
    private final Symbolizer symbolizer;
    private final Extents rowSpace, pageSpace;
    private final long ruleCapacity;
    private final Map<UnwindTable.Rule, Integer> rules = new HashMap<>();
    private final TableCache cache;
    private final Map<String, Loaded> tables = new HashMap<>();
    private final Map<String, String> noTable = new LinkedHashMap<>(); // key -> why (path: reason)
    /** Files whose table found no room: tried again once a process goes (its tables may make room). */
    private final Map<String, String> noRoom = new LinkedHashMap<>();
    private final Map<Integer, List<Entry>> processes = new HashMap<>();
    private long useClock, buildNanos;
    private int evictions, mappingsLeftOut, rulesFull, rowsWithoutRule, cacheHits;

    public UnwindLoader(UnwindMaps maps, Symbolizer symbolizer) throws IOException {
        this(maps, symbolizer, null);
    }

    /** cache: where tables are kept between recordings (by build id), or null. */
    public UnwindLoader(UnwindMaps maps, Symbolizer symbolizer, TableCache cache) throws IOException {
        this.maps = maps;
        this.cache = cache;
        this.symbolizer = symbolizer;
        this.rowSpace = new Extents(0, maps.capacity(UnwindMaps.ROWS));
        this.pageSpace = new Extents(0, maps.capacity(UnwindMaps.PAGES));
        this.ruleCapacity = maps.capacity(UnwindMaps.RULES);
        ByteBuffer shared = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        putRule(shared, 0, UnwindTable.NONE, (short) 0, UnwindTable.RBP_KEEP);
        putRule(shared, 0, UnwindTable.END, (short) 0, UnwindTable.RBP_KEEP);
        shared.flip();
        maps.write(UnwindMaps.RULES, 0, shared, 2);
    }

    /**
     * Reads pid's mappings: loads the tables of the files it maps that have
     * none yet and writes its mapping list, if that changed.
     */
    public void processMapped(int pid, ProcessMaps mapped) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (ProcessMaps.Mapping m : mapped.mappings()) {
            if (!m.executable() || m.path() == null || m.isSpecial()) continue;
            Symbolizer.MappedFile file = symbolizer.mappedFile(pid, m.path());
            if (file == null) continue;
            long vaddr = file.elf().fileOffsetToVaddr(m.offset());
            if (vaddr < 0) continue;
            Loaded t = tableFor(file, m.path());
            if (t != null) entries.add(new Entry(m.start(), m.end(), m.start() - vaddr, t));
        }
        entries.sort(Comparator.comparingLong(Entry::start));
        if (entries.size() > MAX_MAPPINGS) {
            mappingsLeftOut += entries.size() - MAX_MAPPINGS;
            entries = new ArrayList<>(entries.subList(0, MAX_MAPPINGS));
        }
        List<Entry> old = processes.get(pid);
        if (old != null && sameEntries(old, entries)) return;
        for (Entry e : entries) {
            e.table.refs++;
            e.table.lastUsed = ++useClock;
        }
        if (old != null) for (Entry e : old) e.table.refs--;
        processes.put(pid, entries);
        maps.setProcess(pid, processBytes(entries));
    }

    /**
     * Loads the tables of the processes running now that `which` selects
     * (before the sampler is attached); returns how many were read.
     */
    public int loadRunning(Path procRoot, java.util.function.IntPredicate which) throws IOException {
        int n = 0;
        try (java.util.stream.Stream<Path> dirs = Files.list(procRoot)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                int pid = Integer.parseInt(name);
                if (!which.test(pid)) continue;
                ProcessMaps mapped;
                try {
                    mapped = ProcessMaps.read(procRoot, pid);
                } catch (IOException e) {
                    continue; // gone meanwhile, or a kernel thread
                }
                processMapped(pid, mapped);
                n++;
            }
        }
        return n;
    }

    /**
     * Loads the tables of files most new processes will map (the C library
     * and the dynamic loader the recorder itself maps, a command about to
     * run), before the sampler starts: building a first table takes the
     * recorder ~100 ms (its parser not compiled yet), during which a new
     * process's samples would only get frame-pointer steps.
     */
    public void preload(int self, List<String> paths) throws IOException {
        for (String path : paths) {
            Symbolizer.MappedFile file = symbolizer.mappedFile(self, path);
            if (file != null) tableFor(file, path);
        }
    }

    /** The process exited: its mappings go, its tables stay until their room is needed. */
    public void processGone(int pid) throws IOException {
        List<Entry> old = processes.remove(pid);
        if (old == null) return;
        for (Entry e : old) e.table.refs--;
        maps.setProcess(pid, null);
        noRoom.clear();
    }

    public Stats stats() {
        long rows = 0, pages = 0;
        for (Loaded t : tables.values()) {
            rows += t.rowCount;
            pages += t.pageCount;
        }
        Map<String, String> without = new LinkedHashMap<>(noTable);
        without.putAll(noRoom);
        return new Stats(tables.size(), rows, pages, rowSpace.capacity(), without.size(), evictions, mappingsLeftOut,
            rulesFull + rowsWithoutRule, cacheHits, buildNanos / 1_000_000, without);
    }

    private static boolean sameEntries(List<Entry> a, List<Entry> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!a.get(i).sameAs(b.get(i))) return false;
        return true;
    }

    private Loaded tableFor(Symbolizer.MappedFile file, String shownPath) throws IOException {
        String key = fileKey(file);
        if (key == null || noTable.containsKey(key) || noRoom.containsKey(key)) return null;
        Loaded t = tables.get(key);
        if (t != null) return t;
        long t0 = System.nanoTime();
        try {
            String buildId = file.elf().buildId();
            PagedRows paged = cache == null || buildId == null ? null : cache.load(buildId);
            if (paged != null) cacheHits++;
            else {
                try {
                    ElfSections sections = ElfSections.open(file.path());
                    paged = PagedRows.of(UnwindTable.read(sections));
                    sections.releasePages(); // the rows are built: .eh_frame is not read again
                } catch (java.nio.file.NoSuchFileException e) {
                    // read through /proc/PID/root of a process that just exited (a build's
                    // short-lived mkdir): not the file's fault; the next process mapping it retries
                    return null;
                } catch (IOException | RuntimeException e) {
                    // a damaged or hostile file: no table, never a stopped recording
                    noTable.put(key, shownPath + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                    return null;
                }
                if (paged == null) {
                    noTable.put(key, shownPath + ": no .eh_frame or .debug_frame");
                    return null;
                }
                if (cache != null && buildId != null) cache.store(buildId, paged);
            }
            rowsWithoutRule += paged.rowsWithoutRule;
            t = load(key, paged);
            if (t == null) noRoom.put(key, shownPath + ": no room left for its " + paged.rows.length + " rows");
            else tables.put(key, t);
            return t;
        } finally {
            buildNanos += System.nanoTime() - t0;
        }
    }

    /** Build id, else the file's identity on disk (a rebuilt file is a new table). */
    private static String fileKey(Symbolizer.MappedFile file) {
        if (file.elf().buildId() != null) return "build-id:" + file.elf().buildId();
        try {
            BasicFileAttributes a = Files.readAttributes(file.path(), BasicFileAttributes.class);
            return "file:" + Objects.toString(a.fileKey()) + ":" + a.size() + ":" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return null;
        }
    }

    private Loaded load(String key, PagedRows paged) throws IOException {
        int pages = paged.pageFirst.length, rowCount = paged.rows.length;
        long rowFirst = take(rowSpace, rowCount);
        if (rowFirst < 0) return null;
        long pageBase = take(pageSpace, pages);
        if (pageBase < 0) {
            rowSpace.give(rowFirst, rowCount);
            return null;
        }
        int[] global = new int[paged.rules.size()];
        for (int i = 0; i < global.length; i++) global[i] = ruleIndex(paged.rules.get(i));
        ByteBuffer rows = ByteBuffer.allocateDirect(rowCount * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r : paged.rows) rows.putInt((r & 0xffff) | global[r >>> 16] << 16);
        rows.flip();
        maps.write(UnwindMaps.ROWS, rowFirst, rows, rowCount);
        ByteBuffer pageBytes = ByteBuffer.allocateDirect(pages * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < pages; p++) {
            pageBytes.putInt(paged.pageCount[p] == 0 ? 0 : (int) (rowFirst + paged.pageFirst[p]));
            pageBytes.putInt(paged.pageCount[p]);
        }
        pageBytes.flip();
        maps.write(UnwindMaps.PAGES, pageBase, pageBytes, pages);
        return new Loaded(key, rowFirst, rowCount, pageBase, paged.firstPage, pages);
    }

    /** Room for n elements, making it by dropping the least recently used tables no process maps. */
    private long take(Extents space, long n) {
        long at = space.take(n);
        while (at < 0 && evictOne()) at = space.take(n);
        return at;
    }

    private boolean evictOne() {
        Loaded victim = null;
        for (Loaded t : tables.values())
            if (t.refs == 0 && (victim == null || t.lastUsed < victim.lastUsed)) victim = t;
        if (victim == null) return false;
        tables.remove(victim.key);
        rowSpace.give(victim.rowFirst, victim.rowCount);
        pageSpace.give(victim.pageBase, victim.pageCount);
        evictions++;
        return true;
    }

    /** The shared index of a rule, added to the rule array if new; NONE when the array is full. */
    private int ruleIndex(UnwindTable.Rule r) {
        if (r.cfa() == UnwindTable.NONE) return RULE_NONE;
        if (r.cfa() == UnwindTable.END) return RULE_END;
        Integer index = rules.get(r);
        if (index != null) return index;
        int next = rules.size() + 2;
        if (next >= ruleCapacity || next > 0xffff) {
            rulesFull++;
            return RULE_NONE;
        }
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        putRule(b, r.cfaOffset(), r.cfa(), (short) r.rbpOffset(), r.rbp());
        b.flip();
        try {
            maps.write(UnwindMaps.RULES, next, b, 1);
        } catch (IOException e) {
            return RULE_NONE;
        }
        rules.put(r, next);
        return next;
    }

    /** struct prof_unwind_rule: s32 cfa_off, s16 rbp_off, u8 cfa, u8 rbp. */
    private static void putRule(ByteBuffer b, int cfaOffset, byte cfa, short rbpOffset, byte rbp) {
        b.putInt(cfaOffset).putShort(rbpOffset).put(cfa).put(rbp);
    }

    private static ByteBuffer processBytes(List<Entry> entries) {
        ByteBuffer b = ByteBuffer.allocateDirect(PROCESS_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(entries.size()).putInt(0);
        for (Entry e : entries) {
            b.putLong(e.start).putLong(e.end).putLong(e.bias);
            b.putInt((int) e.table.pageBase).putInt((int) e.table.firstPage).putInt(e.table.pageCount).putInt(0);
        }
        b.position(0);
        return b;
    }
}
