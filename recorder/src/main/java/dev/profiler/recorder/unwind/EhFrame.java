package dev.profiler.recorder.unwind;

import dev.profiler.recorder.unwind.UnwindRow.Rule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a file's .eh_frame (the call frame information every x86-64 ELF
 * file carries for C++ exceptions, frame pointers or not) and its
 * .debug_frame (the same in DWARF's own layout, where code was built with -g
 * but without unwind tables, e.g. -fno-asynchronous-unwind-tables) into unwind rows:
 * each FDE's CFA program run, one row per address range where the rule for
 * the CFA, rbp or the return address changes (what `readelf
 * --debug-dump=frames-interp` prints, and what the tests compare with).
 *
 * Written by hand: no Java library reads DWARF call frame information. It
 * runs as root on files any user can write, so every read is bounds-checked
 * and every loop is bounded by the bytes it reads: a damaged file is an
 * IOException, never a hang or a crash.
 */
public final class EhFrame {
    /** A function's rows, for [pcBegin, pcEnd): pc ascending, the first at pcBegin. */
    public record Fde(long pcBegin, long pcEnd, List<UnwindRow> rows) {}

    /**
     * Receives a file's FDEs in pc order and each one's rows as they are
     * computed, none of them kept (UnwindTable reduces them as they come:
     * libLLVM's 861k rows, kept as UnwindRow and then Row objects, took ~96 MB of heap).
     */
    public interface RowSink {
        /** An FDE for [pcBegin, pcEnd) comes next; false skips it (its program is not run). */
        boolean fde(long pcBegin, long pcEnd);

        /** From pc on, until the next row: the CFA is cfaRegister + cfaOffset; rbp and the return address by their rules. */
        void row(long pc, int cfaRegister, long cfaOffset, Rule rbp, long rbpArg, Rule ra, long raArg);
    }

    private static final int MAX_REMEMBERED = 64;
    /** DW_OP_breg7 8; DW_OP_breg16 0; DW_OP_lit15; DW_OP_and; DW_OP_lit11; DW_OP_ge; DW_OP_lit3; DW_OP_shl; DW_OP_plus */
    private static final byte[] PLT_EXPRESSION = {0x77, 0x08, (byte) 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22};
    /** The same with DW_OP_lit10 (older binutils). */
    private static final byte[] PLT_EXPRESSION_10 = {0x77, 0x08, (byte) 0x80, 0x00, 0x3f, 0x1a, 0x3a, 0x2a, 0x33, 0x24, 0x22};
    private static final int REGISTERS = 17; // x86-64 DWARF: 0-15 general purpose, 16 the return address
    /** A sink for programs run only to check them. */
    private static final RowSink CHECK_ONLY = new RowSink() {
        @Override public boolean fde(long pcBegin, long pcEnd) { return true; }
        @Override public void row(long pc, int cfaRegister, long cfaOffset, Rule rbp, long rbpArg, Rule ra, long raArg) { }
    };

    private final ByteBuffer b;
    /** The section's own bytes (ElfSections.contents): positions are section offsets, from 0. */
    private final long sectionAddr, sectionEnd;
    /**
     * .debug_frame: a CIE's id is all ones, not 0; an FDE's CIE pointer is an
     * offset from the section's start, not back from itself; addresses are
     * plain 8-byte values.
     */
    private final boolean debugFrame;
    private final String name, path;
    private final Map<Long, Cie> cies = new HashMap<>();

    private EhFrame(ByteBuffer b, ElfSections.Section s, boolean debugFrame, String path) {
        this.b = b;
        this.sectionAddr = s.addr();
        this.sectionEnd = b.limit();
        this.debugFrame = debugFrame;
        this.name = s.name();
        this.path = path;
    }

    /**
     * The FDEs of the file's .eh_frame, then those of its .debug_frame (none
     * if it has neither), each in section order, with their rows. Where both
     * describe a function, UnwindTable keeps the first: .eh_frame's. A
     * .debug_frame that cannot be read is left out when .eh_frame had FDEs
     * (debug sections are the optional part); otherwise it is an IOException
     * like a damaged .eh_frame.
     */
    public static List<Fde> read(ElfSections elf) throws IOException {
        FdeList fdes = index(elf);
        List<Fde> out = new ArrayList<>(fdes.size);
        for (int i = 0; i < fdes.size; i++) {
            List<UnwindRow> rows = new ArrayList<>();
            fdes.parser[i].rows(fdes, i, (pc, cfaRegister, cfaOffset, rbp, rbpArg, ra, raArg) ->
                rows.add(new UnwindRow(pc, cfaRegister, cfaOffset, rbp, rbpArg, ra, raArg)));
            out.add(new Fde(fdes.begin[i], fdes.end[i], rows));
        }
        return out;
    }

    /**
     * The same FDEs and rows as read, given to sink in pc order (an FDE that
     * starts where another does: .eh_frame's, then section order) and kept
     * nowhere: what the recorder builds its tables with.
     */
    public static void scan(ElfSections elf, RowSink sink) throws IOException {
        FdeList fdes = index(elf);
        for (int i : fdes.byPcBegin()) {
            if (sink.fde(fdes.begin[i], fdes.end[i])) fdes.parser[i].rows(fdes, i, sink::row);
        }
    }

    /** Both sections' FDEs, where each one's program is (not yet run). */
    private static FdeList index(ElfSections elf) throws IOException {
        FdeList out = new FdeList();
        EhFrame eh = parser(elf, ".eh_frame", false);
        if (eh != null) eh.guarded(() -> eh.fdes(out));
        int fromEhFrame = out.size;
        try {
            EhFrame debug = parser(elf, ".debug_frame", true);
            if (debug != null) debug.guarded(() -> {
                debug.fdes(out);
                // run now, so that a damaged program leaves .debug_frame out here, not halfway through a scan
                for (int i = fromEhFrame; i < out.size; i++) debug.rows(out, i, CHECK_ONLY::row);
            });
        } catch (IOException e) {
            if (fromEhFrame == 0) throw e;
            out.size = fromEhFrame;
        }
        return out;
    }

    /** One section's FDEs (package-private: the tests count each section's). */
    static List<Fde> section(ElfSections elf, String name, boolean debugFrame) throws IOException {
        EhFrame p = parser(elf, name, debugFrame);
        if (p == null) return List.of();
        FdeList fdes = new FdeList();
        p.guarded(() -> p.fdes(fdes));
        List<Fde> out = new ArrayList<>();
        for (int i = 0; i < fdes.size; i++) out.add(new Fde(fdes.begin[i], fdes.end[i], List.of()));
        return out;
    }

    private static EhFrame parser(ElfSections elf, String name, boolean debugFrame) throws IOException {
        ElfSections.Section s = elf.find(name);
        return s == null ? null : new EhFrame(elf.contents(s), s, debugFrame, elf.path().toString());
    }

    private interface Parse {
        void run() throws IOException;
    }

    /** Runs a parse of this section: a read out of bounds is a damaged section, an IOException that says which. */
    private void guarded(Parse parse) throws IOException {
        try {
            parse.run();
        } catch (IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException e) {
            throw new IOException("corrupt " + name + " in " + path + ": " + e.getMessage());
        }
    }

    /** Where a row goes: RowSink.row's shape, so read can collect and scan pass through. */
    private interface Rows {
        void row(long pc, int cfaRegister, long cfaOffset, Rule rbp, long rbpArg, Rule ra, long raArg);
    }

    /**
     * FDE headers in the order they were found, in growing arrays: where each
     * FDE's program is and which CIE it uses (its rows are computed when
     * needed, in pc order).
     */
    private static final class FdeList {
        int size;
        long[] begin = new long[1024], end = new long[1024];
        int[] from = new int[1024], to = new int[1024];
        Cie[] cie = new Cie[1024];
        EhFrame[] parser = new EhFrame[1024];

        void add(EhFrame p, Cie c, long pcBegin, long pcEnd, long programFrom, long programTo) {
            if (size == begin.length) {
                int n = size * 2;
                begin = Arrays.copyOf(begin, n);
                end = Arrays.copyOf(end, n);
                from = Arrays.copyOf(from, n);
                to = Arrays.copyOf(to, n);
                cie = Arrays.copyOf(cie, n);
                parser = Arrays.copyOf(parser, n);
            }
            begin[size] = pcBegin;
            end[size] = pcEnd;
            from[size] = (int) programFrom; // a section is at most 2 GiB (ElfSections)
            to[size] = (int) programTo;
            cie[size] = c;
            parser[size] = p;
            size++;
        }

        /** Indexes by pcBegin, ties in the order found (a stable sort); linkers mostly emit them sorted already. */
        int[] byPcBegin() {
            int[] order = new int[size];
            boolean sorted = true;
            for (int i = 0; i < size; i++) {
                order[i] = i;
                if (i > 0 && begin[i] < begin[i - 1]) sorted = false;
            }
            if (sorted) return order;
            Integer[] boxed = new Integer[size];
            for (int i = 0; i < size; i++) boxed[i] = i;
            Arrays.sort(boxed, (x, y) -> Long.compare(begin[x], begin[y]));
            for (int i = 0; i < size; i++) order[i] = boxed[i];
            return order;
        }
    }

    /** A CIE: what its FDEs share; its initial instructions run once, when an FDE first needs their state. */
    private static final class Cie {
        final long codeAlign, dataAlign, instructionsFrom, instructionsTo;
        final int raRegister, fdeEncoding;
        final boolean hasAugmentationData;
        State initial;

        Cie(long codeAlign, long dataAlign, int raRegister, int fdeEncoding, boolean hasAugmentationData,
            long instructionsFrom, long instructionsTo) {
            this.codeAlign = codeAlign;
            this.dataAlign = dataAlign;
            this.raRegister = raRegister;
            this.fdeEncoding = fdeEncoding;
            this.hasAugmentationData = hasAugmentationData;
            this.instructionsFrom = instructionsFrom;
            this.instructionsTo = instructionsTo;
        }
    }

    /** Adds the section's FDEs to out, in section order. */
    private void fdes(FdeList out) throws IOException {
        long p = 0;
        while (p + 4 <= sectionEnd) {
            Entry e = entryAt(p);
            if (e == null) break; // the terminator
            if (e.isCie()) cies.put(p, parseCie(e.contentAt, e.end));
            else {
                // .eh_frame: the CIE is this many bytes back from the pointer; .debug_frame: at this section offset
                long ciePos = debugFrame ? e.id : e.idAt - e.id;
                Cie cie = cies.get(ciePos);
                if (cie == null) cie = cieAt(ciePos);
                Reader r = new Reader(e.contentAt, e.end);
                long begin = r.encoded(cie.fdeEncoding);
                long range = r.encodedValue(cie.fdeEncoding & 0x0f);
                if (cie.hasAugmentationData) r.skip(r.uleb());
                out.add(this, cie, begin, begin + range, r.pos, e.end);
            }
            p = e.end;
        }
    }

    /** Runs FDE i's program (of this section), giving its rows to out. */
    private void rows(FdeList fdes, int i, Rows out) throws IOException {
        Cie cie = fdes.cie[i];
        long begin = fdes.begin[i], pcEnd = fdes.end[i];
        guarded(() -> {
            if (cie.initial == null) {
                State initial = new State();
                run(cie, cie.instructionsFrom, cie.instructionsTo, initial, null, begin, pcEnd, null);
                cie.initial = initial;
            }
            run(cie, fdes.from[i], fdes.to[i], cie.initial.copy(), cie.initial, begin, pcEnd, out);
        });
    }

    /** An entry's header: its id (or CIE pointer) field and where its content starts and ends. */
    private record Entry(long idAt, long id, boolean isCie, long contentAt, long end) {}

    /** The entry at p, or null at a zero length (.eh_frame's terminator). */
    private Entry entryAt(long p) throws IOException {
        long length = Integer.toUnsignedLong(b.getInt(at(p)));
        long idAt = p + 4;
        boolean dwarf64 = length == 0xffffffffL;
        if (length == 0) return null;
        if (dwarf64) {
            length = b.getLong(at(p + 4));
            idAt = p + 12;
        }
        long end = idAt + length;
        if (length < 4 || length > sectionEnd || end > sectionEnd)
            throw new IOException("entry at " + p + " overruns " + name);
        // .debug_frame's 64-bit entries have an 8-byte id; .eh_frame's id is always 4 bytes
        boolean wideId = debugFrame && dwarf64;
        if (wideId && length < 8) throw new IOException("entry at " + p + " too short");
        long id = wideId ? b.getLong(at(idAt)) : Integer.toUnsignedLong(b.getInt(at(idAt)));
        boolean isCie = debugFrame ? id == (wideId ? -1L : 0xffffffffL) : id == 0;
        return new Entry(idAt, id, isCie, idAt + (wideId ? 8 : 4), end);
    }

    /** A CIE that comes after the FDE pointing at it (allowed, rare). */
    private Cie cieAt(long pos) throws IOException {
        if (pos < 0 || pos + 8 > sectionEnd) throw new IOException("FDE points outside " + name);
        Entry e = entryAt(pos);
        if (e == null || !e.isCie()) throw new IOException("FDE points at no CIE");
        Cie cie = parseCie(e.contentAt, e.end);
        cies.put(pos, cie);
        return cie;
    }

    private Cie parseCie(long p, long end) throws IOException {
        Reader r = new Reader(p, end);
        int version = r.u8();
        if (version != 1 && version != 3 && version != 4) throw new IOException("CIE version " + version);
        String aug = r.cString();
        if (aug.contains("eh")) r.skip(8);
        if (version == 4) r.skip(2); // address size, segment selector size
        long codeAlign = r.uleb(), dataAlign = r.sleb();
        int ra = version == 1 ? r.u8() : (int) r.uleb();
        int fdeEncoding = 0; // DW_EH_PE_absptr
        boolean z = aug.startsWith("z");
        if (z) {
            long augEnd = r.uleb();
            augEnd += r.pos;
            for (int i = 1; i < aug.length(); i++) {
                switch (aug.charAt(i)) {
                    case 'R' -> fdeEncoding = r.u8();
                    case 'L' -> r.u8();
                    case 'P' -> r.encoded(r.u8());
                    case 'S', 'B', 'G' -> { }
                    default -> i = aug.length(); // unknown: the length lets us skip the rest
                }
            }
            r.pos = augEnd;
        }
        return new Cie(codeAlign, dataAlign, ra, fdeEncoding, z, r.pos, end);
    }

    /** The register rules at a point of a CFA program. */
    private static final class State {
        int cfaRegister = UnwindRow.RSP;
        long cfaOffset;
        Rule[] rules = new Rule[REGISTERS];
        long[] args = new long[REGISTERS];

        State() {
            Arrays.fill(rules, Rule.UNDEFINED);
        }

        State copy() {
            State s = new State();
            s.cfaRegister = cfaRegister;
            s.cfaOffset = cfaOffset;
            s.rules = rules.clone();
            s.args = args.clone();
            return s;
        }

        void emit(long pc, Rows out) {
            out.row(pc, cfaRegister, cfaOffset, rules[UnwindRow.RBP], args[UnwindRow.RBP], rules[UnwindRow.RA],
                args[UnwindRow.RA]);
        }

        void set(long reg, Rule rule, long arg) {
            if (reg < 0 || reg >= REGISTERS) return; // a register unwinding does not need (xmm, ...)
            rules[(int) reg] = rule;
            args[(int) reg] = arg;
        }
    }

    /**
     * Runs a CFA program from loc: the CIE's initial instructions (rows null)
     * or an FDE's (initial: the CIE's state, for DW_CFA_restore), adding a
     * row each time the location moves on, and one at the end.
     */
    private void run(Cie cie, long from, long to, State s, State initial, long loc, long pcEnd, Rows rows)
            throws IOException {
        Reader r = new Reader(from, to);
        List<State> remembered = new ArrayList<>();
        while (r.pos < to) {
            int op = r.u8();
            int high = op & 0xc0, low = op & 0x3f;
            long next = -1;
            if (high == 0x40) next = loc + low * cie.codeAlign;                   // DW_CFA_advance_loc
            else if (high == 0x80) s.set(low, Rule.OFFSET, r.uleb() * cie.dataAlign);  // DW_CFA_offset
            else if (high == 0xc0) restore(s, initial, low);                       // DW_CFA_restore
            else switch (op) {
                case 0x00 -> { }                                                    // DW_CFA_nop
                case 0x01 -> next = r.encoded(cie.fdeEncoding);                     // DW_CFA_set_loc
                case 0x02 -> next = loc + r.u8() * cie.codeAlign;                   // DW_CFA_advance_loc1
                case 0x03 -> next = loc + r.u16() * cie.codeAlign;                  // DW_CFA_advance_loc2
                case 0x04 -> next = loc + r.u32() * cie.codeAlign;                  // DW_CFA_advance_loc4
                case 0x05 -> s.set(r.uleb(), Rule.OFFSET, r.uleb() * cie.dataAlign);  // DW_CFA_offset_extended
                case 0x06 -> restore(s, initial, r.uleb());                         // DW_CFA_restore_extended
                case 0x07 -> s.set(r.uleb(), Rule.UNDEFINED, 0);                    // DW_CFA_undefined
                case 0x08 -> s.set(r.uleb(), Rule.SAME, 0);                         // DW_CFA_same_value
                case 0x09 -> s.set(r.uleb(), Rule.REGISTER, r.uleb());              // DW_CFA_register
                case 0x0a -> {                                                      // DW_CFA_remember_state
                    if (remembered.size() >= MAX_REMEMBERED) throw new IOException("CFA state stack too deep");
                    remembered.add(s.copy());
                }
                case 0x0b -> {                                                      // DW_CFA_restore_state
                    if (remembered.isEmpty()) throw new IOException("DW_CFA_restore_state without a remembered state");
                    State back = remembered.remove(remembered.size() - 1);
                    // the CFA rule comes back too, as libgcc's unwinder and readelf restore it
                    s.cfaRegister = back.cfaRegister;
                    s.cfaOffset = back.cfaOffset;
                    s.rules = back.rules;
                    s.args = back.args;
                }
                case 0x0c -> {                                                      // DW_CFA_def_cfa
                    s.cfaRegister = (int) r.uleb();
                    s.cfaOffset = r.uleb();
                }
                case 0x0d -> s.cfaRegister = (int) r.uleb();                        // DW_CFA_def_cfa_register
                case 0x0e -> s.cfaOffset = r.uleb();                                // DW_CFA_def_cfa_offset
                case 0x0f -> {                                                      // DW_CFA_def_cfa_expression
                    long len = r.uleb();
                    boolean plt11 = r.matches(len, PLT_EXPRESSION), plt10 = r.matches(len, PLT_EXPRESSION_10);
                    s.cfaRegister = plt11 || plt10 ? UnwindRow.CFA_PLT : UnwindRow.CFA_EXPRESSION;
                    r.skip(len);
                    // a PLT's offset is the byte of its entry from which the CFA is 8 higher (the push is done)
                    s.cfaOffset = plt11 ? 11 : plt10 ? 10 : 0;
                }
                case 0x10 -> {                                                      // DW_CFA_expression
                    long reg = r.uleb();
                    r.skip(r.uleb());
                    s.set(reg, Rule.EXPRESSION, 0);
                }
                case 0x11 -> s.set(r.uleb(), Rule.OFFSET, r.sleb() * cie.dataAlign);  // DW_CFA_offset_extended_sf
                case 0x12 -> {                                                      // DW_CFA_def_cfa_sf
                    s.cfaRegister = (int) r.uleb();
                    s.cfaOffset = r.sleb() * cie.dataAlign;
                }
                case 0x13 -> s.cfaOffset = r.sleb() * cie.dataAlign;                // DW_CFA_def_cfa_offset_sf
                case 0x14 -> s.set(r.uleb(), Rule.VAL_OFFSET, r.uleb() * cie.dataAlign);  // DW_CFA_val_offset
                case 0x15 -> s.set(r.uleb(), Rule.VAL_OFFSET, r.sleb() * cie.dataAlign);  // DW_CFA_val_offset_sf
                case 0x16 -> {                                                      // DW_CFA_val_expression
                    long reg = r.uleb();
                    r.skip(r.uleb());
                    s.set(reg, Rule.VAL_EXPRESSION, 0);
                }
                case 0x2e -> r.uleb();                                              // DW_CFA_GNU_args_size
                case 0x2f -> s.set(r.uleb(), Rule.OFFSET, -r.uleb() * cie.dataAlign);  // DW_CFA_GNU_negative_offset_extended
                default -> throw new IOException("unknown CFA instruction 0x" + Integer.toHexString(op));
            }
            if (next >= 0 && rows != null) {
                if (next < loc) throw new IOException("CFA program moves backwards");
                if (next > loc && loc < pcEnd) s.emit(loc, rows);
                loc = next;
            }
        }
        if (rows != null && loc < pcEnd) s.emit(loc, rows);
    }

    private static void restore(State s, State initial, long reg) {
        if (initial == null || reg < 0 || reg >= REGISTERS) return;
        s.set(reg, initial.rules[(int) reg], initial.args[(int) reg]);
    }

    private int at(long offset) {
        if (offset < 0 || offset >= sectionEnd) throw new IndexOutOfBoundsException("offset " + offset);
        return (int) offset;
    }

    /** Reads the bytes [pos, end) of the section, each read checked against end. */
    private final class Reader {
        long pos;
        final long end;

        Reader(long pos, long end) {
            this.pos = pos;
            this.end = end;
        }

        private int take(int n) {
            if (pos + n > end) throw new IndexOutOfBoundsException("read past the entry's end");
            int p = at(pos);
            pos += n;
            return p;
        }

        int u8() { return Byte.toUnsignedInt(b.get(take(1))); }

        int u16() { return Short.toUnsignedInt(b.getShort(take(2))); }

        long u32() { return Integer.toUnsignedLong(b.getInt(take(4))); }

        /** Whether the next len bytes are exactly these (nothing is consumed). */
        boolean matches(long len, byte[] bytes) {
            if (len != bytes.length || pos + len > end) return false;
            for (int i = 0; i < bytes.length; i++)
                if (b.get(at(pos + i)) != bytes[i]) return false;
            return true;
        }

        void skip(long n) {
            if (n < 0 || pos + n > end) throw new IndexOutOfBoundsException("skip past the entry's end");
            pos += n;
        }

        long uleb() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int x = u8();
                if (shift < 64) v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) return v;
                if (shift > 70) throw new IllegalArgumentException("LEB128 too long");
            }
        }

        long sleb() {
            long v = 0;
            int shift = 0, x;
            do {
                x = u8();
                if (shift < 64) v |= (long) (x & 0x7f) << shift;
                shift += 7;
                if (shift > 77) throw new IllegalArgumentException("LEB128 too long");
            } while ((x & 0x80) != 0);
            if (shift < 64 && (x & 0x40) != 0) v |= -1L << shift;
            return v;
        }

        String cString() {
            StringBuilder sb = new StringBuilder();
            for (int c; (c = u8()) != 0; ) {
                if (sb.length() > 32) throw new IllegalArgumentException("augmentation string too long");
                sb.append((char) c);
            }
            return sb.toString();
        }

        /** A pointer in DW_EH_PE encoding: its format, then what it is relative to (pcrel: this field's address). */
        long encoded(int encoding) throws IOException {
            if (encoding == 0xff) return 0; // DW_EH_PE_omit
            long fieldAddr = sectionAddr + pos;
            long v = encodedValue(encoding & 0x0f);
            return switch (encoding & 0x70) {
                case 0x00 -> v;             // absolute
                case 0x10 -> fieldAddr + v; // DW_EH_PE_pcrel
                case 0x30 -> v;             // DW_EH_PE_datarel: relative to .got on i386 only; not used on x86-64
                default -> throw new IOException("pointer encoding 0x" + Integer.toHexString(encoding));
            };
        }

        long encodedValue(int format) throws IOException {
            return switch (format) {
                case 0x00, 0x04 -> b.getLong(take(8)); // DW_EH_PE_absptr, udata8
                case 0x01 -> uleb();
                case 0x02 -> u16();
                case 0x03 -> u32();
                case 0x09 -> sleb();
                case 0x0a -> b.getShort(take(2));
                case 0x0b -> b.getInt(take(4));
                case 0x0c -> b.getLong(take(8));
                default -> throw new IOException("pointer format 0x" + Integer.toHexString(format));
            };
        }
    }
}
