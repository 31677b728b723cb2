package dev.profiler.recorder;

import dev.profiler.formats.TableWriter;
import dev.profiler.recorder.bpf.BatchColumns;
import dev.profiler.recorder.symbols.Symbolizer;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills futex_wait.lock_symbol: the static data object of the program or a
 * library that a futex word lies in (a `static pthread_mutex_t work_lock`
 * is "work_lock"), as LockSymbols names kernel locks. Looked up once per
 * (process, address); a lock on the heap or the stack has no symbol and
 * stays null (the analyses name it by the code that takes it).
 */
final class FutexSymbols {
    private static final String COLUMN = "lock_symbol";

    private final Symbolizer symbolizer;
    private final ProcessTracker tracker;
    private final TableWriter table;
    private final Map<Long, Map<Long, Integer>> indexByPidAddress = new HashMap<>();

    FutexSymbols(Symbolizer symbolizer, ProcessTracker tracker, TableWriter table) {
        this.symbolizer = symbolizer;
        this.tracker = tracker;
        this.table = table;
        table.seedDictionary(COLUMN, List.of());
    }

    /** Writes the symbol column of a batch's futex rows from their process and address. */
    void fill(BatchColumns columns) {
        ByteBuffer pid = columns.column("pid"), addr = columns.column("uaddr");
        ByteBuffer symbol = columns.column(COLUMN);
        for (int r = 0; r < columns.rows(); r++) symbol.putInt(r * 4, indexOf(pid.getInt(r * 4), addr.getLong(r * 8)));
    }

    private int indexOf(int pid, long addr) {
        Map<Long, Integer> known = indexByPidAddress.computeIfAbsent((long) pid, p -> new HashMap<>());
        Integer i = known.get(addr);
        if (i == null) {
            String name = symbolizer.dataSymbol(pid, tracker.currentMaps(pid), addr);
            i = name == null ? -1 : table.dictionaryIndex(COLUMN, name);
            known.put(addr, i);
        }
        return i;
    }
}
