package dev.profiler.recorder.unwind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    static final int RULE_NONE = UnwindTable.RULE_NONE, RULE_END = UnwindTable.RULE_END, MAX_RULES = 1 << 16;

    final long firstPage;
    /** Per page: its first row (relative to the file's first row), and its row count. */
    final int[] pageFirst, pageCount;
    /** pc_low | rule << 16, rule an index into `rules`. */
    final int[] rows;
    final List<UnwindTable.Rule> rules;
    /** Rows whose rule the walker cannot hold (an rbp offset past 16 bits, or past 65,536 distinct rules): NONE. */
    final int rowsWithoutRule;

    PagedRows(long firstPage, int[] pageFirst, int[] pageCount, int[] rows, List<UnwindTable.Rule> rules, int rowsWithoutRule) {
        this.firstPage = firstPage;
        this.pageFirst = pageFirst;
        this.pageCount = pageCount;
        this.rows = rows;
        this.rules = rules;
        this.rowsWithoutRule = rowsWithoutRule;
    }

    /** The table laid out in pages; null for a table with no rows. */
    static PagedRows of(UnwindTable table) {
        int rowCount = table.size();
        if (rowCount == 0) return null;
        // the table's rules, less those whose rbp offset does not fit the walker's 16 bits (NONE instead)
        List<UnwindTable.Rule> tableRules = table.rules();
        List<UnwindTable.Rule> rules = new ArrayList<>();
        int[] local = new int[tableRules.size()];
        for (int i = 0; i < local.length; i++) {
            UnwindTable.Rule r = tableRules.get(i);
            boolean fits = r.rbpOffset() == (short) r.rbpOffset() && rules.size() < MAX_RULES;
            local[i] = fits ? rules.size() : -1;
            if (fits) rules.add(r);
        }
        int withoutRule = 0;
        long firstPage = table.pc(0) >>> PAGE_SHIFT, lastPage = table.pc(rowCount - 1) >>> PAGE_SHIFT;
        int pages = Math.toIntExact(lastPage - firstPage + 1);
        int[] pageFirst = new int[pages], pageCount = new int[pages];
        int[] out = new int[rowCount + pages];
        int n = 0, next = 0, current = -1;
        for (int p = 0; p < pages; p++) {
            long pageStart = (firstPage + p) << PAGE_SHIFT, pageEnd = pageStart + (1L << PAGE_SHIFT);
            pageFirst[p] = n;
            // the rule in effect where the page starts, unless a row starts there
            if (current >= 0 && (next >= rowCount || table.pc(next) != pageStart)) out[n++] = current << 16;
            for (; next < rowCount && table.pc(next) < pageEnd; next++) {
                int rule = local[table.ruleIndex(next)];
                if (rule < 0) withoutRule++;
                current = rule < 0 ? RULE_NONE : rule;
                out[n++] = (int) (table.pc(next) & 0xffff) | current << 16;
            }
            pageCount[p] = n - pageFirst[p];
        }
        return new PagedRows(firstPage, pageFirst, pageCount, Arrays.copyOf(out, n), List.copyOf(rules), withoutRule);
    }
}
