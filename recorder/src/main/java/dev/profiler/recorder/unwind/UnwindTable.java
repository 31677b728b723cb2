package dev.profiler.recorder.unwind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    /** Rule 0 and 1 of every table: no rule (a frame-pointer step), and the outermost frame. */
    static final int RULE_NONE = 0, RULE_END = 1;

    /** How to find the caller's frame: the CFA, and rbp. */
    public record Rule(byte cfa, int cfaOffset, byte rbp, int rbpOffset) {
        static final Rule NONE = new Rule(UnwindTable.NONE, 0, RBP_KEEP, 0);
        static final Rule END = new Rule(UnwindTable.END, 0, RBP_KEEP, 0);

        // Written out: a record's generated equals/hashCode go through method
        // handles, slow in the recorder's C1-only JIT (one lookup per row).
        @Override
        public boolean equals(Object o) {
            return o instanceof Rule r && r.cfaOffset == cfaOffset && r.rbpOffset == rbpOffset && r.cfa == cfa
                && r.rbp == rbp;
        }

        @Override
        public int hashCode() {
            return ((cfaOffset * 31 + rbpOffset) * 31 + cfa) * 31 + rbp;
        }
    }

    /** One row: from pc on (to the next row), how to find the caller's frame. */
    public record Row(long pc, byte cfa, int cfaOffset, byte rbp, int rbpOffset) {
        boolean sameRuleAs(Row o) {
            return cfa == o.cfa && cfaOffset == o.cfaOffset && rbp == o.rbp && rbpOffset == o.rbpOffset;
        }
    }

    /**
     * Rows as two arrays, pc and an index into rules (12 bytes a row: libLLVM
     * has 818k), not as objects: see Builder.
     */
    private final long[] pcs;
    private final int[] ruleOf;
    private final List<Rule> rules;
    private final int unsupported;

    private UnwindTable(long[] pcs, int[] ruleOf, List<Rule> rules, int unsupported) {
        this.pcs = pcs;
        this.ruleOf = ruleOf;
        this.rules = rules;
        this.unsupported = unsupported;
    }

    /** The file's table, its rows reduced as EhFrame computes them (none kept unreduced). */
    public static UnwindTable read(ElfSections elf) throws IOException {
        Builder b = new Builder();
        EhFrame.scan(elf, b);
        return b.build();
    }

    /** The table of FDEs read whole (EhFrame.read): the same table read gives. */
    public static UnwindTable of(List<EhFrame.Fde> fdes) {
        List<EhFrame.Fde> sorted = new ArrayList<>(fdes);
        sorted.sort(Comparator.comparingLong(EhFrame.Fde::pcBegin));
        Builder b = new Builder();
        for (EhFrame.Fde f : sorted) {
            if (!b.fde(f.pcBegin(), f.pcEnd())) continue;
            for (UnwindRow r : f.rows()) b.row(r.pc(), r.cfaRegister(), r.cfaOffset(), r.rbp(), r.rbpArg(), r.ra(), r.raArg());
        }
        return b.build();
    }

    public int size() { return pcs.length; }

    public long pc(int i) { return pcs[i]; }

    /** Row i's rule, an index into rules() (0 NONE, 1 END). */
    public int ruleIndex(int i) { return ruleOf[i]; }

    /** The distinct rules of the table, NONE and END first. */
    public List<Rule> rules() { return rules; }

    /** Rows in pc order, repeats merged (made on demand: tests and tools). */
    public List<Row> rows() {
        return new java.util.AbstractList<>() {
            @Override public Row get(int i) { return row(i); }
            @Override public int size() { return pcs.length; }
        };
    }

    /** Rows of the FDEs that fit no shape above (now NONE rows). */
    public int unsupported() { return unsupported; }

    /** The row that holds pc (the last one at or before it), or null before the first: the walker's binary search. */
    public Row find(long pc) {
        int lo = 0, hi = pcs.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (pcs[mid] <= pc) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? null : row(found);
    }

    private Row row(int i) {
        Rule r = rules.get(ruleOf[i]);
        return new Row(pcs[i], r.cfa(), r.cfaOffset(), r.rbp(), r.rbpOffset());
    }

    /** An FDE row reduced to the walker's shapes (NONE where it fits none). */
    static Row reduce(UnwindRow r) {
        Rule rule = reduce(r.cfaRegister(), r.cfaOffset(), r.rbp(), r.rbpArg(), r.ra(), r.raArg());
        return new Row(r.pc(), rule.cfa(), rule.cfaOffset(), rule.rbp(), rule.rbpOffset());
    }

    private static Rule reduce(int cfaRegister, long cfaOffset, UnwindRow.Rule rbp, long rbpArg, UnwindRow.Rule ra,
                               long raArg) {
        if (ra == UnwindRow.Rule.UNDEFINED) return Rule.END;
        if (ra != UnwindRow.Rule.OFFSET || raArg != -8) return Rule.NONE;
        byte cfa;
        if (cfaRegister == UnwindRow.RSP) cfa = CFA_RSP;
        else if (cfaRegister == UnwindRow.RBP) cfa = CFA_RBP;
        else if (cfaRegister == UnwindRow.CFA_PLT) cfa = CFA_PLT;
        else return Rule.NONE;
        if (cfaOffset < Integer.MIN_VALUE || cfaOffset > Integer.MAX_VALUE) return Rule.NONE;
        return switch (rbp) {
            case UNDEFINED, SAME -> new Rule(cfa, (int) cfaOffset, RBP_KEEP, 0);
            case OFFSET -> rbpArg < Integer.MIN_VALUE || rbpArg > Integer.MAX_VALUE ? Rule.NONE
                : new Rule(cfa, (int) cfaOffset, RBP_AT_CFA, (int) rbpArg);
            default -> Rule.NONE;
        };
    }

    /**
     * Builds a table from FDEs given in pc order: each row reduced and merged
     * with the one before as it comes, its rule interned, so a file's table
     * costs 12 bytes a row while it is built, whatever its FDEs hold.
     */
    private static final class Builder implements EhFrame.RowSink {
        private long[] pcs = new long[4096];
        private int[] ruleOf = new int[4096];
        private int n, unsupported;
        private final List<Rule> rules = new ArrayList<>(List.of(Rule.NONE, Rule.END));
        private final Map<Rule, Integer> index = new HashMap<>(Map.of(Rule.NONE, RULE_NONE, Rule.END, RULE_END));
        private long coveredTo = Long.MIN_VALUE;

        @Override
        public boolean fde(long pcBegin, long pcEnd) {
            // empty, or overlapping an FDE before it (rare, from linker scripts): the first one keeps its range
            if (pcEnd <= pcBegin || pcBegin < coveredTo) return false;
            // a gap between functions: NONE, unless it is only the padding that aligns the next one (never run)
            if (coveredTo != Long.MIN_VALUE && pcBegin - coveredTo >= MAX_PADDING) add(coveredTo, RULE_NONE);
            coveredTo = pcEnd;
            return true;
        }

        @Override
        public void row(long pc, int cfaRegister, long cfaOffset, UnwindRow.Rule rbp, long rbpArg, UnwindRow.Rule ra,
                        long raArg) {
            Rule rule = reduce(cfaRegister, cfaOffset, rbp, rbpArg, ra, raArg);
            if (rule.cfa() == NONE) unsupported++;
            Integer i = index.get(rule);
            if (i == null) {
                i = rules.size();
                rules.add(rule);
                index.put(rule, i);
            }
            add(pc, i);
        }

        private void add(long pc, int rule) {
            if (n > 0) {
                if (pcs[n - 1] == pc) {
                    ruleOf[n - 1] = rule; // an empty range before it: the later rule holds from here
                    if (n >= 2 && ruleOf[n - 2] == rule) n--;
                    return;
                }
                if (ruleOf[n - 1] == rule) return;
            }
            if (n == pcs.length) {
                pcs = Arrays.copyOf(pcs, n * 2);
                ruleOf = Arrays.copyOf(ruleOf, n * 2);
            }
            pcs[n] = pc;
            ruleOf[n++] = rule;
        }

        UnwindTable build() {
            if (coveredTo != Long.MIN_VALUE) add(coveredTo, RULE_NONE);
            return new UnwindTable(Arrays.copyOf(pcs, n), Arrays.copyOf(ruleOf, n), List.copyOf(rules), unsupported);
        }
    }
}
