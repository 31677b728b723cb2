package dev.profiler.recorder.bpf;

import static org.junit.jupiter.api.Assertions.*;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.Column;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The batch tables as the built shim defines them (bpf/profiler.h) against
 * the capture tables (CaptureTable): they agree, and each way they could
 * disagree is caught. Loads the shim only; no BPF.
 */
class BatchLayoutTest {
    @Test
    void theShimsTablesAreTheCaptureTablesColumnForColumn() throws Exception {
        BatchLayout layout = BpfSession.layout();
        assertEquals(List.of(), layout.differences());
        Set<CaptureTable> filled = layout.tables().stream().map(BatchLayout.Table::capture)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(CaptureTable.class)));
        assertEquals(EnumSet.of(CaptureTable.SAMPLES, CaptureTable.SCHED_SWITCH, CaptureTable.SCHED_WAKEUP,
            CaptureTable.LOCK_CONTENTION, CaptureTable.FUTEX_WAIT, CaptureTable.IRQ), filled);
        for (BatchLayout.Table t : layout.tables()) {
            List<Column> want = t.capture().columns();
            assertEquals(want.size(), t.captureColumns(), t.name());
            for (int c = 0; c < want.size(); c++) {
                assertEquals(want.get(c).name(), t.columns().get(c), t.name());
                assertEquals(BatchLayout.width(want.get(c).kind()), t.widths()[c], t.name() + "." + t.columns().get(c));
            }
        }
        BatchLayout.Table irq = layout.table(CaptureTable.IRQ);
        assertEquals(List.of("_name_id", "_addr"), irq.columns().subList(irq.captureColumns(), irq.columns().size()),
            "the shim's aids to Java follow the capture columns");
    }

    @Test
    void aWidthThatDiffersIsReported() throws Exception {
        BatchLayout.Table samples = BpfSession.layout().table(CaptureTable.SAMPLES);
        int[] widths = samples.widths().clone();
        widths[samples.column("cpu")] = 8;
        List<String> d = layoutWith(samples, samples.columns(), widths).differences();
        assertEquals(List.of("samples.cpu is 8 bytes a value in the shim, 4 for its INT32 capture column"), d);
    }

    @Test
    void aColumnRenamedMissingOrAddedIsReported() throws Exception {
        BatchLayout.Table sw = BpfSession.layout().table(CaptureTable.SCHED_SWITCH);
        List<String> renamed = new ArrayList<>(sw.columns());
        renamed.set(sw.column("prev_stack_id"), "prev_stack");
        assertEquals(List.of("sched_switch column 5 is prev_stack in the shim, prev_stack_id in the capture table"),
            layoutWith(sw, renamed, sw.widths()).differences());

        List<String> shorter = sw.columns().subList(0, sw.columns().size() - 1);
        assertEquals(List.of("sched_switch.prev_iowait is missing from the shim's columns"),
            layoutWith(sw, shorter, java.util.Arrays.copyOf(sw.widths(), shorter.size())).differences());

        List<String> longer = new ArrayList<>(sw.columns());
        longer.add("prev_cgroup");
        int[] widths = java.util.Arrays.copyOf(sw.widths(), longer.size());
        widths[longer.size() - 1] = 8;
        assertEquals(List.of("sched_switch.prev_cgroup is not a column of the capture table"),
            layoutWith(sw, longer, widths).differences());
    }

    @Test
    void aTableNoCaptureTableIsNamedAfterIsReported() {
        BatchLayout l = new BatchLayout(List.of(new BatchLayout.Table(0, "page_faults", null, List.of("ts"), new int[] {8})));
        assertEquals(List.of("the shim fills a table page_faults that no capture table is named after"), l.differences());
    }

    private static BatchLayout layoutWith(BatchLayout.Table t, List<String> columns, int[] widths) {
        return new BatchLayout(List.of(new BatchLayout.Table(t.index(), t.name(), t.capture(), columns, widths)));
    }
}
