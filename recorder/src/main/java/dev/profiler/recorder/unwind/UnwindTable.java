package dev.profiler.recorder.unwind;

import dev.profiler.recorder.unwind.UnwindRow.Rule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A file's unwind rows reduced to what a BPF walker can apply without DWARF
 * expressions, sorted by pc, one row per range where the rule changes:
 * the CFA is rsp + n, rbp + n or the PLT's, rbp is kept or read from
 * CFA + n, and the return address is at CFA - 8. Ranges no FDE covers, and
 * rows that fit none of these shapes (signal frames, stack realignment
 * through an expression), are NONE: the walker falls back to one
 * frame-pointer step there. A return address that is undefined marks the
 * outermost frame (_start, clone): END, where the walk stops.
 *
 * More than 99.9% of x86-64 rows are rsp- or rbp-based
 * (../shared/notes/ehframe-unwinding.md); the counts say how many were not.
 */
public final class UnwindTable {
    /** How the CFA is found. */
    public static final byte NONE = 0, CFA_RSP = 1, CFA_RBP = 2, CFA_PLT = 3, END = 4;
    /** How the caller's rbp is found. */
    public static final byte RBP_KEEP = 0, RBP_AT_CFA = 1;
    /** Functions are aligned to at most 16 bytes: a shorter gap between two is padding no thread runs. */
    static final long MAX_PADDING = 16;

    /** One row: from pc on (to the next row), how to find the caller's frame. */
    public record Row(long pc, byte cfa, int cfaOffset, byte rbp, int rbpOffset) {
        boolean sameRuleAs(Row o) {
            return cfa == o.cfa && cfaOffset == o.cfaOffset && rbp == o.rbp && rbpOffset == o.rbpOffset;
        }
    }

    private final List<Row> rows;
    private final int unsupported;

    private UnwindTable(List<Row> rows, int unsupported) {
        this.rows = rows;
        this.unsupported = unsupported;
    }

    /** Rows in pc order, repeats merged. */
    public List<Row> rows() { return rows; }

    /** Rows of the FDEs that fit no shape above (now NONE rows). */
    public int unsupported() { return unsupported; }

    /** The row that holds pc (the last one at or before it), or null before the first: the walker's binary search. */
    public Row find(long pc) {
        int lo = 0, hi = rows.size() - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (rows.get(mid).pc() <= pc) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? null : rows.get(found);
    }

    public static UnwindTable of(List<EhFrame.Fde> fdes) {
        List<EhFrame.Fde> sorted = new ArrayList<>(fdes);
        sorted.sort(Comparator.comparingLong(EhFrame.Fde::pcBegin));
        List<Row> out = new ArrayList<>();
        int unsupported = 0;
        long coveredTo = Long.MIN_VALUE;
        for (EhFrame.Fde f : sorted) {
            if (f.rows().isEmpty() || f.pcEnd() <= f.pcBegin()) continue;
            // overlapping FDEs (rare, from linker scripts): the first one keeps its range
            if (f.pcBegin() < coveredTo) continue;
            // a gap between functions: NONE, unless it is only the padding that aligns the next one (never run)
            if (coveredTo != Long.MIN_VALUE && f.pcBegin() - coveredTo >= MAX_PADDING)
                add(out, new Row(coveredTo, NONE, 0, RBP_KEEP, 0));
            for (UnwindRow r : f.rows()) {
                Row reduced = reduce(r);
                if (reduced.cfa() == NONE) unsupported++;
                add(out, reduced);
            }
            coveredTo = f.pcEnd();
        }
        if (coveredTo != Long.MIN_VALUE) add(out, new Row(coveredTo, NONE, 0, RBP_KEEP, 0));
        return new UnwindTable(List.copyOf(out), unsupported);
    }

    private static void add(List<Row> out, Row r) {
        if (!out.isEmpty()) {
            Row last = out.get(out.size() - 1);
            if (last.pc() == r.pc()) {
                out.set(out.size() - 1, r); // an empty range before it: the later rule holds from here
                if (out.size() >= 2 && out.get(out.size() - 2).sameRuleAs(r)) out.remove(out.size() - 1);
                return;
            }
            if (last.sameRuleAs(r)) return;
        }
        out.add(r);
    }

    static Row reduce(UnwindRow r) {
        if (r.ra() == Rule.UNDEFINED) return new Row(r.pc(), END, 0, RBP_KEEP, 0);
        if (r.ra() != Rule.OFFSET || r.raArg() != -8) return none(r.pc());
        byte cfa;
        if (r.cfaRegister() == UnwindRow.RSP) cfa = CFA_RSP;
        else if (r.cfaRegister() == UnwindRow.RBP) cfa = CFA_RBP;
        else if (r.cfaRegister() == UnwindRow.CFA_PLT) cfa = CFA_PLT;
        else return none(r.pc());
        if (r.cfaOffset() < Integer.MIN_VALUE || r.cfaOffset() > Integer.MAX_VALUE) return none(r.pc());
        return switch (r.rbp()) {
            case UNDEFINED, SAME -> new Row(r.pc(), cfa, (int) r.cfaOffset(), RBP_KEEP, 0);
            case OFFSET -> r.rbpArg() < Integer.MIN_VALUE || r.rbpArg() > Integer.MAX_VALUE ? none(r.pc())
                : new Row(r.pc(), cfa, (int) r.cfaOffset(), RBP_AT_CFA, (int) r.rbpArg());
            default -> none(r.pc());
        };
    }

    private static Row none(long pc) {
        return new Row(pc, NONE, 0, RBP_KEEP, 0);
    }
}
