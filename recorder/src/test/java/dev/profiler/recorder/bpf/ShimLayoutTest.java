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
 * What the built shim defines (bpf/profiler.h, native/shim.c) against the
 * Java side's view of it: the batch tables against the capture tables
 * (CaptureTable), the records Java decodes against BpfRecords' offsets, the
 * sources and counters Java reads. They agree, and each way the tables could
 * disagree is caught. Loads the shim only; no BPF.
 */
class ShimLayoutTest {
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

    @Test
    void theRecordsJavaDecodesHaveTheShimsOffsets() throws Exception {
        BpfSession.library();
        assertTrue(BpfRecords.LAYOUT.size() >= 28);
        for (var e : BpfRecords.LAYOUT.entrySet())
            assertEquals(ShimLibrary.pshim_record_layout(e.getKey()), (long) e.getValue(), e.getKey());
        assertEquals(-1, ShimLibrary.pshim_record_layout("prof_proc.no_such_field"));
    }

    @Test
    void sourcesAndCountersAreReadFromTheShim() throws Exception {
        List<String> names = ShimSources.sources().stream().map(ShimSources.Source::name).toList();
        assertEquals(List.of("sched", "offcpu_stacks", "locks", "futex", "libraries"), names);
        assertEquals("sched", ShimSources.sources().get(1).needs());
        assertEquals(1 | 2 | 8, ShimSources.bits(List.of("samples", "sched", "offcpu_stacks", "futex")));
        BpfException e = assertThrows(BpfException.class, () -> ShimSources.bits(List.of("offcpu_stacks")));
        assertEquals("offcpu_stacks needs sched", e.getMessage());
        e = assertThrows(BpfException.class, () -> ShimSources.bits(List.of("page_faults")));
        assertEquals("the native shim records no source named page_faults", e.getMessage());

        List<ShimSources.Counter> counters = ShimSources.counters();
        for (int i = 0; i < counters.size(); i++) {
            ShimSources.Counter c = counters.get(i);
            assertEquals(i, c.index());
            assertTrue(c.source().equals("samples") || names.contains(c.source()), c.toString());
            if (c.kind().equals("emitted"))
                assertTrue(counters.stream().anyMatch(l -> l.kind().equals("lost") && l.stream().equals(c.stream())),
                    "a lost counter beside " + c);
        }
        assertEquals(BpfRecords.UNWIND_OUTCOMES,
            counters.stream().filter(c -> c.kind().equals("unwind")).map(ShimSources.Counter::stream).toList(),
            "the unwind counters in samples.unwind's dictionary order");
    }

    private static BatchLayout layoutWith(BatchLayout.Table t, List<String> columns, int[] widths) {
        return new BatchLayout(List.of(new BatchLayout.Table(t.index(), t.name(), t.capture(), columns, widths)));
    }
}
