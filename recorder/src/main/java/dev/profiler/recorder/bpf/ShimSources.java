package dev.profiler.recorder.bpf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The recorded sources and the BPF side's counters, as the shim defines
 * them (native/shim.c's SOURCES, bpf/profiler.h's PROF_COUNTERS), read
 * from it once: Java keeps no copy of a source bit or a counter index.
 */
public final class ShimSources {
    /** The sampler's source: always on, no bit. */
    public static final String SAMPLES = "samples";

    /** A source pshim_open can load: bit 1 << index; needs: the source it modifies, or null. */
    public record Source(int index, String name, String needs) {
        int bit() { return 1 << index; }
    }

    /**
     * A per-CPU counter of the BPF side: the source whose programs count it,
     * the record stream (or unwind outcome) it counts, and its kind:
     * "emitted", "lost", "unpaired" or "unwind".
     */
    public record Counter(int index, String source, String stream, String kind) {}

    /** Both lists as the loaded shim has them, read together once. */
    private record Catalog(List<Source> sources, List<Counter> counters) {
        static Catalog read() {
            List<Source> sources = new ArrayList<>();
            for (int i = 0; i < ShimLibrary.pshim_source_count(); i++)
                sources.add(new Source(i, ShimLibrary.pshim_source_name(i), ShimLibrary.pshim_source_needs(i)));
            List<Counter> counters = new ArrayList<>();
            for (int i = 0; i < ShimLibrary.pshim_counter_count(); i++)
                counters.add(new Counter(i, ShimLibrary.pshim_counter_source(i), ShimLibrary.pshim_counter_stream(i),
                    ShimLibrary.pshim_counter_kind(i)));
            return new Catalog(List.copyOf(sources), List.copyOf(counters));
        }
    }

    private static volatile Catalog catalog;

    private ShimSources() {}

    private static Catalog catalog() throws BpfException {
        BpfSession.library();
        Catalog c = catalog;
        if (c == null) catalog = c = Catalog.read();
        return c;
    }

    public static List<Source> sources() throws BpfException { return catalog().sources(); }

    public static List<Counter> counters() throws BpfException { return catalog().counters(); }

    /** pshim_open's bits for these sources ("samples" is always on); a clear error for a name the shim lacks. */
    static int bits(Collection<String> names) throws BpfException {
        int bits = 0;
        for (String name : names) {
            if (name.equals(SAMPLES)) continue;
            Source s = sources().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new BpfException("the native shim records no source named " + name));
            if (s.needs() != null && !names.contains(s.needs()))
                throw new BpfException(name + " needs " + s.needs());
            bits |= s.bit();
        }
        return bits;
    }
}
