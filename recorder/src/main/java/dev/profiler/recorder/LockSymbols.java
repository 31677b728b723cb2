package dev.profiler.recorder;

import dev.profiler.formats.TableWriter;
import dev.profiler.recorder.bpf.BatchColumns;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.SymbolTable;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills lock_contention.lock_symbol: the static kernel object a lock lies
 * in ("jiffies_lock", "rcu_state+0x40"), looked up once per lock address.
 * Locks inside allocated objects have no symbol and stay null.
 */
final class LockSymbols {
    private static final String COLUMN = "lock_symbol";

    private final KernelSymbols kernel;
    private final TableWriter table;
    private final Map<Long, Integer> indexByAddress = new HashMap<>();

    LockSymbols(KernelSymbols kernel, TableWriter table) {
        this.kernel = kernel;
        this.table = table;
        table.seedDictionary(COLUMN, List.of());
    }

    /** Writes the symbol column of a batch's lock rows from their addresses. */
    void fill(BatchColumns columns) {
        ByteBuffer addr = columns.column("lock_addr"), symbol = columns.column(COLUMN);
        for (int r = 0; r < columns.rows(); r++) symbol.putInt(r * 4, indexOf(addr.getLong(r * 8)));
    }

    private int indexOf(long addr) {
        Integer i = indexByAddress.get(addr);
        if (i == null) {
            SymbolTable.Hit hit = kernel.lookupData(addr);
            i = hit == null ? -1 : table.dictionaryIndex(COLUMN,
                hit.offset() == 0 ? hit.name() : hit.name() + "+0x" + Long.toHexString(hit.offset()));
            indexByAddress.put(addr, i);
        }
        return i;
    }
}
