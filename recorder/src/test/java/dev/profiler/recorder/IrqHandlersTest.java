package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.*;

import dev.profiler.formats.CaptureReader;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import dev.profiler.formats.TableReader;
import dev.profiler.formats.TableRows;
import dev.profiler.recorder.bpf.BatchColumns;
import dev.profiler.recorder.bpf.BpfRecords;
import dev.profiler.recorder.bpf.BpfSession;
import dev.profiler.recorder.symbols.KernelSymbols;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupt rows as the recorder writes them, on synthetic batches (these
 * VMs have no NMI source): a 250 ms NMI is named after its handler's kernel
 * function, a hardirq after its irqaction, a softirq after its vector.
 */
class IrqHandlersTest {
    @TempDir Path tmp;

    @Test
    void nmiHardirqAndSoftirqRowsNameTheirHandlers() throws Exception {
        Path kallsyms = Files.writeString(tmp.resolve("kallsyms"), String.join("\n",
            "ffffffff81000000 T _stext",
            "ffffffff81010000 t perf_event_nmi_handler",
            "ffffffff81010400 t nmi_cpu_backtrace_handler", ""));
        KernelSymbols kernel = KernelSymbols.load(kallsyms);
        Path cap = tmp.resolve("irq.cap");
        long[][] rows = { // ts_begin, ts_end, cpu, kind, number, tid, name id, addr
            {1_000_000_000L, 1_250_000_000L, 1, BpfRecords.NMI_KIND, 0, 42, -1, 0xffffffff81010010L},
            {2_000_000_000L, 2_000_010_000L, 0, 0, 24, 7, 0, 0},
            {3_000_000_000L, 3_000_050_000L, 0, 1, 3, 7, 1, 0},
        };
        try (CaptureWriter out = CaptureWriter.create(cap, false)) {
            out.table(CaptureTable.IRQ).seedDictionary("kind", BpfRecords.IRQ_KINDS);
            IrqHandlers handlers = new IrqHandlers(kernel, out.table(CaptureTable.IRQ));
            handlers.addNames(Map.of(0, "virtio0-input.0", 1, "NET_RX"));
            BatchColumns cols = columns(rows);
            handlers.fill(cols);
            out.table(CaptureTable.IRQ).appendColumns(rows.length, cols.captureColumns());
            out.writeManifest(new Manifest());
        }
        try (CaptureReader r = CaptureReader.open(cap); RootAllocator a = new RootAllocator();
             TableReader tr = r.openTable(CaptureTable.IRQ, a)) {
            List<Object[]> back = TableRows.readAll(tr);
            assertEquals(3, back.size());
            assertEquals("nmi", back.get(0)[3]);
            assertEquals("perf_event_nmi_handler", back.get(0)[5]);
            assertEquals(250_000_000L, ((Number) back.get(0)[1]).longValue() - ((Number) back.get(0)[0]).longValue());
            assertEquals(42, ((Number) back.get(0)[6]).intValue(), "the interrupted thread");
            assertEquals("hardirq", back.get(1)[3]);
            assertEquals("virtio0-input.0", back.get(1)[5]);
            assertEquals("softirq", back.get(2)[3]);
            assertEquals("NET_RX", back.get(2)[5]);
        }
    }

    /** The rows laid out as the shim lays out the irq table; handler left -1 for IrqHandlers to fill. */
    static BatchColumns columns(long[][] rows) throws Exception {
        BatchColumns cols = BatchColumns.allocate(BpfSession.layout().table(CaptureTable.IRQ), rows.length);
        String[] names = {"ts_begin", "ts_end", "cpu", "kind", "number", "interrupted_tid", "_name_id", "_addr"};
        for (int r = 0; r < rows.length; r++) {
            cols.column("handler").putInt(r * 4, -1);
            for (int i = 0; i < names.length; i++) {
                ByteBuffer c = cols.column(names[i]);
                if (c.capacity() == rows.length * 8) c.putLong(r * 8, rows[r][i]);
                else c.putInt(r * 4, (int) rows[r][i]);
            }
        }
        return cols;
    }

    @Test
    void statusLineGivesEachSourceItsCountAndRate() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StatusLine status = new StatusLine(new PrintStream(buf, true), false);
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("samples", 1200L);
        counts.put("sched", 34000L);
        counts.put("irq", 56L);
        status.update(counts, 3, 2048);
        String line = buf.toString();
        assertTrue(line.startsWith("recording "), line);
        for (String s : List.of("samples 1,200 (", "sched 34,000 (", "irq 56 (", "lost 3", "written 2.0 KiB"))
            assertTrue(line.contains(s), s + " in " + line);
    }
}
