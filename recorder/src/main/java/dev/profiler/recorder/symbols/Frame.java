package dev.profiler.recorder.symbols;

/**
 * A symbolized frame, as it goes into the frames table. {@code module},
 * {@code buildId} and {@code offset} are kept for every frame, symbolized or
 * not, so a capture can be symbolized again elsewhere.
 */
public record Frame(Kind kind, long address, String module, String buildId, long offset,
                    String function, long functionOffset) {
    public enum Kind {
        KERNEL("kernel"), USER("user"), JIT("jit");

        public final String columnValue;

        Kind(String columnValue) { this.columnValue = columnValue; }
    }
}
