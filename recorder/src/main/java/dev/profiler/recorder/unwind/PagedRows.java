package dev.profiler.recorder.unwind;

import java.util.Arrays;
import java.util.List;

/**
 * A file's unwind table in the walker's layout (bpf/profiler.h): the code
 * cut into 64 KiB pages, each page's rows a run of 4-byte rows (the pc's
 * low 16 bits, a rule index), the first one at the page's start, so the
 * walker's binary search never leaves the page. A page the table does not
 * reach has no rows. Rule indexes come from the loader's shared rule set.
 */
final class PagedRows {
    static final int PAGE_SHIFT = 16;

    final long firstPage;
    /** Per page: its first row (relative to the file's first row), and its row count. */
    final int[] pageFirst, pageCount;
    /** pc_low | rule << 16, as the walker reads them. */
    final int[] rows;

    private PagedRows(long firstPage, int[] pageFirst, int[] pageCount, int[] rows) {
        this.firstPage = firstPage;
        this.pageFirst = pageFirst;
        this.pageCount = pageCount;
        this.rows = rows;
    }

    interface RuleIndex {
        int of(UnwindTable.Row row);
    }

    /** The table laid out in pages; null for a table with no rows. */
    static PagedRows of(UnwindTable table, RuleIndex rules) {
        List<UnwindTable.Row> in = table.rows();
        if (in.isEmpty()) return null;
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
                current = rules.of(in.get(next));
                out[n++] = (int) (in.get(next).pc() & 0xffff) | current << 16;
            }
            pageCount[p] = n - pageFirst[p];
        }
        return new PagedRows(firstPage, pageFirst, pageCount, Arrays.copyOf(out, n));
    }

    /** The rule index the walker finds for a file address: what its binary search returns. */
    int ruleAt(long vaddr) {
        long page = (vaddr >>> PAGE_SHIFT) - firstPage;
        if (page < 0 || page >= pageFirst.length) return UnwindLoader.RULE_NONE;
        int lo = pageFirst[(int) page], hi = lo + pageCount[(int) page], first = lo;
        int low = (int) (vaddr & 0xffff);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if ((rows[mid] & 0xffff) <= low) lo = mid + 1;
            else hi = mid;
        }
        return lo == first ? UnwindLoader.RULE_NONE : rows[lo - 1] >>> 16;
    }
}
