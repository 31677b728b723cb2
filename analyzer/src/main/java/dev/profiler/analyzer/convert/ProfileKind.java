package dev.profiler.analyzer.convert;

import dev.profiler.formats.pprof.PprofWriter.ValueType;

/**
 * What a profile weighs (profile-convert --what): CPU samples, time blocked
 * off CPU, or time waiting for locks. Each is a view of profile_stacks(what)
 * (resources/sql/profile_stacks.sql) and names its two values as pprof
 * does: a count, then nanoseconds (the default shown).
 */
public enum ProfileKind {
    CPU("cpu", new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")),
    OFFCPU("offcpu", new ValueType("blocks", "count"), new ValueType("offcpu", "nanoseconds")),
    LOCKS("locks", new ValueType("contentions", "count"), new ValueType("delay", "nanoseconds"));

    public final String sqlName;
    public final ValueType count, time;

    ProfileKind(String sqlName, ValueType count, ValueType time) {
        this.sqlName = sqlName;
        this.count = count;
        this.time = time;
    }

    /** cpu, offcpu or locks; null for anything else. */
    public static ProfileKind named(String name) {
        for (ProfileKind k : values()) if (k.sqlName.equals(name)) return k;
        return null;
    }
}
