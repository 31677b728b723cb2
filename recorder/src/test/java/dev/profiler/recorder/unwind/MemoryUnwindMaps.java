package dev.profiler.recorder.unwind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The unwind maps in plain memory, with the BPF walker's lookup
 * (bpf/unwind.bpf.h) done over their bytes: what a test can check the
 * loader's layout with, byte for byte, without a kernel.
 */
final class MemoryUnwindMaps implements UnwindMaps {
    private static final int[] ELEMENT_BYTES = {4, 8, 8};
    final ByteBuffer[] arrays = new ByteBuffer[3];
    final Map<Integer, ByteBuffer> processes = new HashMap<>();

    MemoryUnwindMaps(long rows, long pages, long rules) {
        long[] caps = {rows, pages, rules};
        for (int i = 0; i < 3; i++)
            arrays[i] = ByteBuffer.allocate(Math.toIntExact(caps[i] * ELEMENT_BYTES[i])).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long capacity(int array) {
        return arrays[array].capacity() / ELEMENT_BYTES[array];
    }

    @Override
    public void write(int array, long first, ByteBuffer elements, int count) {
        ByteBuffer src = elements.duplicate();
        src.limit(src.position() + count * ELEMENT_BYTES[array]);
        arrays[array].put(Math.toIntExact(first * ELEMENT_BYTES[array]), src, 0, src.remaining());
    }

    @Override
    public void setProcess(int pid, ByteBuffer process) {
        if (process == null) processes.remove(pid);
        else {
            ByteBuffer copy = ByteBuffer.allocate(process.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(process.duplicate().position(0));
            processes.put(pid, copy);
        }
    }

    /** The rule the walker applies at pc in pid (frame 0: pc itself), as {cfa, cfa_off, rbp, rbp_off}; null: NONE. */
    int[] ruleAt(int pid, long pc) {
        ByteBuffer p = processes.get(pid);
        if (p == null) return null;
        int count = p.getInt(0), found = -1;
        for (int i = 0; i < count; i++) {
            int at = 8 + i * UnwindLoader.MAPPING_BYTES;
            if (p.getLong(at) <= pc && pc < p.getLong(at + 8)) found = at;
        }
        if (found < 0) return null;
        long vaddr = pc - p.getLong(found + 16);
        long pageBase = Integer.toUnsignedLong(p.getInt(found + 24)), firstPage = p.getInt(found + 28),
            pageCount = p.getInt(found + 32);
        long page = (vaddr >>> 16) - firstPage;
        if (page < 0 || page >= pageCount) return null;
        ByteBuffer pages = arrays[PAGES];
        int first = pages.getInt(Math.toIntExact((pageBase + page) * 8)), n = pages.getInt(Math.toIntExact((pageBase + page) * 8 + 4));
        int rule = UnwindLoader.RULE_NONE;
        for (int r = first; r < first + n; r++) {
            int row = arrays[ROWS].getInt(r * 4);
            if ((row & 0xffff) <= (vaddr & 0xffff)) rule = row >>> 16;
        }
        if (rule == UnwindLoader.RULE_NONE) return null;
        ByteBuffer rules = arrays[RULES];
        return new int[] {rules.get(rule * 8 + 6), rules.getInt(rule * 8), rules.get(rule * 8 + 7), rules.getShort(rule * 8 + 4)};
    }
}
