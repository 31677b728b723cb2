package dev.profiler.recorder;

import dev.profiler.formats.TableWriter;
import dev.profiler.recorder.bpf.BatchColumns;
import dev.profiler.recorder.bpf.BpfRecords;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.SymbolTable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills irq.handler: the irqaction's name of a hardirq, the vector name of a
 * softirq (both named by the shim, once per name), the kernel function of an
 * NMI handler (looked up once per address).
 */
final class IrqHandlers {
    private static final String COLUMN = "handler";

    private final KernelSymbols kernel;
    private final TableWriter table;
    /** shim name id -> dictionary index */
    private int[] byNameId = new int[0];
    private final Map<Long, Integer> byNmiHandler = new HashMap<>();

    IrqHandlers(KernelSymbols kernel, TableWriter table) {
        this.kernel = kernel;
        this.table = table;
        table.seedDictionary(COLUMN, List.of());
    }

    /** Names the shim saw first in this batch. */
    void addNames(Map<Integer, String> names) {
        for (Map.Entry<Integer, String> e : names.entrySet()) {
            int id = e.getKey();
            if (id >= byNameId.length) {
                int old = byNameId.length;
                byNameId = Arrays.copyOf(byNameId, Math.max(id + 1, old * 2));
                Arrays.fill(byNameId, old, byNameId.length, -1);
            }
            byNameId[id] = table.dictionaryIndex(COLUMN, e.getValue());
        }
    }

    /** Writes the handler column of a batch's irq rows. */
    void fill(BatchColumns columns) {
        ByteBuffer kind = columns.column("kind"), nameId = columns.column("_name_id");
        ByteBuffer addr = columns.column("_addr"), handler = columns.column(COLUMN);
        for (int r = 0; r < columns.rows(); r++) {
            int index = -1;
            int id = nameId.getInt(r * 4);
            if (id >= 0 && id < byNameId.length) index = byNameId[id];
            else if (kind.getInt(r * 4) == BpfRecords.NMI_KIND) index = nmiHandler(addr.getLong(r * 8));
            handler.putInt(r * 4, index);
        }
    }

    private int nmiHandler(long addr) {
        Integer i = byNmiHandler.get(addr);
        if (i == null) {
            SymbolTable.Hit hit = addr == 0 ? null : kernel.lookup(addr);
            i = hit == null ? -1 : table.dictionaryIndex(COLUMN, hit.name());
            byNmiHandler.put(addr, i);
        }
        return i;
    }
}
