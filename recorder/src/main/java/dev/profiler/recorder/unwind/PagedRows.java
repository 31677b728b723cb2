package dev.profiler.recorder.unwind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A file's unwind table in the walker's layout (bpf/profiler.h): the code
 * cut into 64 KiB pages, each page's rows a run of 4-byte rows (the pc's
 * low 16 bits, a rule index), the first one at the page's start, so the
 * walker's binary search never leaves the page. A page the table does not
 * reach has no rows. Rule indexes are the file's own (into `rules`): the
 * loader maps them to the shared rule array as it writes the rows, so a
 * table can be kept on disk (TableCache) and loaded into any recording.
 */
final class PagedRows {
    static final int PAGE_SHIFT = 16;
    /** Local rule 0 and 1: no rule (a frame-pointer step), and the outermost frame. */
    static final int RULE_NONE = 0, RULE_END = 1, MAX_RULES = 1 << 16;

    /** A rule by value: how to find the CFA and rbp (UnwindTable's constants). */
    record Rule(byte cfa, int cfaOffset, byte rbp, int rbpOffset) {
        static final Rule NONE = new Rule(UnwindTable.NONE, 0, UnwindTable.RBP_KEEP, 0);
        static final Rule END = new Rule(UnwindTable.END, 0, UnwindTable.RBP_KEEP, 0);

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

    final long firstPage;
    /** Per page: its first row (relative to the file's first row), and its row count. */
    final int[] pageFirst, pageCount;
    /** pc_low | rule << 16, rule an index into `rules`. */
    final int[] rows;
    final List<Rule> rules;
    /** Rows whose rule did not fit (a file with more than 65,536 distinct rules): NONE. */
    final int rowsWithoutRule;

    PagedRows(long firstPage, int[] pageFirst, int[] pageCount, int[] rows, List<Rule> rules, int rowsWithoutRule) {
        this.firstPage = firstPage;
        this.pageFirst = pageFirst;
        this.pageCount = pageCount;
        this.rows = rows;
        this.rules = rules;
        this.rowsWithoutRule = rowsWithoutRule;
    }

    /** The table laid out in pages; null for a table with no rows. */
    static PagedRows of(UnwindTable table) {
        List<UnwindTable.Row> in = table.rows();
        if (in.isEmpty()) return null;
        List<Rule> rules = new ArrayList<>(List.of(Rule.NONE, Rule.END));
        Map<Rule, Integer> index = new HashMap<>(Map.of(Rule.NONE, RULE_NONE, Rule.END, RULE_END));
        int withoutRule = 0;
        long firstPage = in.get(0).pc() >>> PAGE_SHIFT, lastPage = in.get(in.size() - 1).pc() >>> PAGE_SHIFT;
        int pages = Math.toIntExact(lastPage - firstPage + 1);
        int[] pageFirst = new int[pages], pageCount = new int[pages];
        int[] out = new int[in.size() + pages];
        int n = 0, next = 0, current = -1;
        for (int p = 0; p < pages; p++) {
            long pageStart = (firstPage + p) << PAGE_SHIFT, pageEnd = pageStart + (1L << PAGE_SHIFT);
            pageFirst[p] = n;
            // the rule in effect where the page starts, unless a row starts there
            if (current >= 0 && (next >= in.size() || in.get(next).pc() != pageStart)) out[n++] = current << 16;
            for (; next < in.size() && in.get(next).pc() < pageEnd; next++) {
                UnwindTable.Row r = in.get(next);
                Rule rule = r.rbpOffset() == (short) r.rbpOffset()
                    ? new Rule(r.cfa(), r.cfaOffset(), r.rbp(), r.rbpOffset()) : Rule.NONE; // rbp_off is 16 bits
                Integer i = index.get(rule);
                if (i == null && rules.size() < MAX_RULES) {
                    i = rules.size();
                    rules.add(rule);
                    index.put(rule, i);
                }
                if (i == null) withoutRule++;
                current = i == null ? RULE_NONE : i;
                out[n++] = (int) (r.pc() & 0xffff) | current << 16;
            }
            pageCount[p] = n - pageFirst[p];
        }
        return new PagedRows(firstPage, pageFirst, pageCount, Arrays.copyOf(out, n), List.copyOf(rules), withoutRule);
    }
}
