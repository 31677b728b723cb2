package dev.profiler.recorder.unwind;

/**
 * How to find the caller's frame from code at pc and after, until the next
 * row (x86-64 DWARF register numbers: 6 rbp, 7 rsp, 16 the return address):
 * the canonical frame address (CFA) is cfaRegister + cfaOffset, or given by
 * an expression; rbp and the return address are restored by their rules.
 */
public record UnwindRow(long pc, int cfaRegister, long cfaOffset, Rule rbp, long rbpArg, Rule ra, long raArg) {
    public static final int RBP = 6, RSP = 7, RA = 16;
    /** cfaRegister of a CFA computed by a DWARF expression (signal frames, realigned stacks). */
    public static final int CFA_EXPRESSION = -1;
    /**
     * cfaRegister of the one expression every x86-64 PLT has (binutils' lazy
     * PLT): CFA = rsp + 8, + 8 more once rip is past byte 10 of its 16-byte
     * entry (the push has happened); cfaOffset holds that byte (11, or 10
     * for older binutils).
     */
    public static final int CFA_PLT = -2;

    /**
     * A register's rule (DWARF 5, 6.4.1): UNDEFINED and SAME leave it as it is
     * (for rbp: the caller's value is still in the register), OFFSET reads it
     * from CFA + arg, VAL_OFFSET is CFA + arg, REGISTER copies register arg,
     * the expressions are computed.
     */
    public enum Rule { UNDEFINED, SAME, OFFSET, VAL_OFFSET, REGISTER, EXPRESSION, VAL_EXPRESSION }

    /** The same unwinding from another pc on: consecutive rows equal but for pc merge. */
    boolean sameRuleAs(UnwindRow o) {
        return cfaRegister == o.cfaRegister && cfaOffset == o.cfaOffset && rbp == o.rbp && rbpArg == o.rbpArg
            && ra == o.ra && raArg == o.raArg;
    }
}
