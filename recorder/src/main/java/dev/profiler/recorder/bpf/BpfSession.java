package dev.profiler.recorder.bpf;

import com.sun.jna.Pointer;
import dev.profiler.formats.CaptureTable;
import dev.profiler.recorder.unwind.UnwindMaps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The loaded BPF programs of one recording: load, attach, poll batches,
 * read counters, detach, close. Owns the native handle.
 */
public final class BpfSession implements AutoCloseable, UnwindMaps {
    public enum EventSource {
        HW_CYCLES("cycles"), SW_CPU_CLOCK("cpu-clock");

        public final String manifestName;

        EventSource(String manifestName) { this.manifestName = manifestName; }
    }

    private static volatile boolean loaded;

    private Pointer handle;
    private final int ncpus;
    private int sourcesAsked;
    private EventSource eventSource;
    private long undecodable;

    private BpfSession(Pointer handle) {
        this.handle = handle;
        this.ncpus = ShimLibrary.pshim_possible_cpus();
    }

    /** The loaded shim's batch tables (after {@link #library}). */
    public static BatchLayout layout() throws BpfException {
        library();
        return BatchLayout.shim();
    }

    /** Loads libprofilershim.so and checks it against this side; a clear message if it cannot. */
    public static synchronized void library() throws BpfException {
        if (loaded) return;
        try {
            ShimLibrary.register();
        } catch (UnsatisfiedLinkError e) {
            throw new BpfException("cannot load the native shim (libprofilershim.so): "
                + e.getMessage().lines().findFirst().orElse("") + "; is libbpf1 installed?");
        }
        if (ShimLibrary.pshim_abi_version() != BpfRecords.ABI_VERSION)
            throw new BpfException("native shim ABI " + ShimLibrary.pshim_abi_version() + " does not match the Java side ("
                + BpfRecords.ABI_VERSION + "); rebuild with mvn package");
        List<String> differ = new java.util.ArrayList<>(BatchLayout.shim().differences());
        BpfRecords.LAYOUT.forEach((name, offset) -> {
            long shim = ShimLibrary.pshim_record_layout(name);
            if (shim != offset) differ.add(name + " is at " + shim + " in the shim, " + offset + " in BpfRecords");
        });
        if (!differ.isEmpty())
            throw new BpfException("the native shim's layouts differ from the Java side's (" + String.join("; ", differ)
                + "): bpf/profiler.h, BpfRecords and CaptureTable must agree; rebuild with mvn package");
        loaded = true;
    }

    /**
     * What to load. Ring sizes are rounded up to powers of two; the BPF side
     * wakes the consumer once wakeupBytes are pending in a ring.
     *
     * @param sources the recorded sources besides the sampler, by the shim's names
     *     ({@link ShimSources#sources}: sched, offcpu_stacks, locks, futex); attach them with
     *     {@link #attachSources}
     * @param unwindRows above 0: walk user stacks with unwind tables of up to this many rows
     *     (--call-graph dwarf; written through {@link UnwindMaps}); 0: by frame pointers
     */
    public record Config(int selfTgid, boolean filterByTgid, long sampleRingBytes, long eventRingBytes,
                         long wakeupBytes, List<String> sources, long unwindRows, boolean verbose) {}

    /** Loads the programs (verified by the kernel here, before anything is attached). */
    public static BpfSession open(Config c) throws BpfException {
        library();
        byte[] err = new byte[512];
        Pointer h = ShimLibrary.pshim_open(c.selfTgid(), c.filterByTgid() ? 1 : 0, c.sampleRingBytes(),
            c.eventRingBytes(), c.wakeupBytes(), ShimSources.bits(c.sources()), c.unwindRows(),
            c.verbose() ? 1 : 0, err, err.length);
        if (h == null) throw new BpfException(cString(err));
        BpfSession s = new BpfSession(h);
        s.sourcesAsked = ShimSources.bits(c.sources());
        return s;
    }

    public static long monotonicNanos() throws BpfException {
        library();
        return ShimLibrary.pshim_clock_ns(0);
    }

    public static long realtimeNanos() throws BpfException {
        library();
        return ShimLibrary.pshim_clock_ns(1);
    }

    @Override
    public long capacity(int array) {
        return ShimLibrary.pshim_unwind_capacity(handle, array);
    }

    @Override
    public void write(int array, long first, ByteBuffer elements, int count) throws IOException {
        if (!elements.isDirect() || elements.position() != 0) throw new IllegalArgumentException("a direct buffer at 0");
        int rc = ShimLibrary.pshim_unwind_write(handle, array, first, elements, count);
        if (rc < 0) throw new IOException("cannot write unwind array " + array + " at " + first + " (errno " + -rc + ")");
    }

    @Override
    public void setProcess(int pid, ByteBuffer process) throws IOException {
        if (process != null && (!process.isDirect() || process.position() != 0))
            throw new IllegalArgumentException("a direct buffer at 0");
        int rc = ShimLibrary.pshim_unwind_set_process(handle, pid, process, process == null ? 0 : process.capacity());
        if (rc < 0) throw new IOException("cannot set the unwind mappings of process " + pid + " (errno " + -rc + ")");
    }

    public void addTargetProcess(int tgid) throws BpfException {
        int rc = ShimLibrary.pshim_add_tgid(handle, tgid);
        if (rc < 0) throw new BpfException("cannot add process " + tgid + " to the filter (errno " + -rc + ")");
    }

    /** Whether tgid is in the target filter: given, or started by a target while recording. */
    public boolean isTarget(int tgid) {
        return ShimLibrary.pshim_is_target(handle, tgid) == 1;
    }

    public EventSource attachSampler(int frequencyHz, boolean allowHardware) throws BpfException {
        byte[] err = new byte[512];
        int rc = ShimLibrary.pshim_attach_sampler(handle, frequencyHz, allowHardware ? 1 : 0, err, err.length);
        if (rc < 0) throw new BpfException(cString(err));
        eventSource = rc == 1 ? EventSource.HW_CYCLES : EventSource.SW_CPU_CLOCK;
        return eventSource;
    }

    /** Attaches every program of the sources {@link Config#sources} loaded. */
    public void attachSources() throws BpfException {
        byte[] err = new byte[512];
        if (ShimLibrary.pshim_attach_sources(handle, err, err.length) < 0) throw new BpfException(cString(err));
    }

    /**
     * Whether a source asked for is on, after {@link #attachSources}: an
     * optional one (libraries) stays off where it cannot attach.
     */
    public boolean sourceOn(String name) throws BpfException {
        if (name.equals(ShimSources.SAMPLES)) return true;
        for (ShimSources.Source s : ShimSources.sources())
            if (s.name().equals(name)) return s.needs() != null ? sourceOn(s.needs()) && asked(s)
                : ShimLibrary.pshim_source_on(handle, s.index()) == 1;
        return false;
    }

    private boolean asked(ShimSources.Source s) { return (sourcesAsked & s.bit()) != 0; }

    /** Lock waits begun and not ended (read after detach: they will not end in the capture). */
    public long lockWaitsOpen() {
        return Math.max(0, ShimLibrary.pshim_lock_waits_open(handle));
    }

    /**
     * Waits up to timeoutMs, then takes every record drained so far (the
     * shim drains the rings on a thread of its own meanwhile). Returns the
     * batch (valid until the next poll), or null when nothing came.
     */
    public EventBatch poll(int timeoutMs) throws BpfException {
        return batch(ShimLibrary.pshim_poll(handle, timeoutMs));
    }

    /**
     * The recording's steady loop, run by the shim (pshim_run): it writes
     * every batch that holds nothing new itself (weight: each sample's;
     * tables handed over with {@link #writeTableTo} written when a batch's
     * oldest row waited maxAgeNanos), and returns the first batch with
     * something only Java does (a new stack, thread, name or process event,
     * or rows of a table Java writes), or null after timeoutMs or a
     * {@link #wake}.
     */
    public EventBatch run(int timeoutMs, long maxAgeNanos, long weight) throws BpfException, IOException {
        long n = ShimLibrary.pshim_run(handle, timeoutMs, maxAgeNanos, weight);
        if (n < 0 && ShimLibrary.pshim_write_error(handle) == n) throw new IOException(errorText((int) -n));
        return batch(n);
    }

    private EventBatch batch(long n) throws BpfException {
        if (n < 0) throw new BpfException("reading the BPF ring buffers failed (errno " + -n + ")");
        BatchLayout layout = BatchLayout.shim();
        long[] info = new long[EventBatch.infoLength(layout)];
        ShimLibrary.pshim_batch_info(handle, info);
        undecodable = info[layout.tables().size() + EventBatch.INFO_UNDECODABLE];
        return n == 0 ? null : new EventBatch(handle, layout, info);
    }

    /** Rows of table in every batch so far, Java's and those the shim wrote alone (0 for a table no batch fills). */
    public long rowsTaken(CaptureTable table) {
        BatchLayout.Table t = BatchLayout.shim().table(table);
        return t == null ? 0 : ShimLibrary.pshim_rows_taken(handle, t.index());
    }

    /** Every thread seen so far, with its last event time and latest name (read at the stop). */
    public BpfRecords.ThreadSeen[] allThreads() {
        int n = (int) ShimLibrary.pshim_all_thread_count(handle);
        BpfRecords.ThreadSeen[] out = new BpfRecords.ThreadSeen[n];
        if (n == 0) return out;
        ByteBuffer b = ShimLibrary.pshim_all_threads(handle).getByteBuffer(0, (long) n * BpfRecords.THREAD_SEEN_BYTES)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) out[i] = BpfRecords.decodeThread(b, i * BpfRecords.THREAD_SEEN_BYTES);
        return out;
    }

    /**
     * From now on the shim writes table's record batches into file, which
     * holds the stream's schema and dictionaries (TableWriter.handOver):
     * the rows of each batch are queued there at {@link #writeTables}.
     * nullable[c]: a value of -1 in column c is null.
     */
    public void writeTableTo(CaptureTable table, java.nio.file.Path file, boolean[] nullable, int batchRows)
            throws IOException {
        BatchLayout.Table t = BatchLayout.shim().table(table);
        if (t == null || t.widths().length != nullable.length)
            throw new IllegalArgumentException(table.tableName() + ": not a batch table of " + nullable.length + " columns");
        int[] flags = new int[nullable.length];
        for (int c = 0; c < flags.length; c++) flags[c] = nullable[c] ? 1 : 0;
        int rc = ShimLibrary.pshim_table_write_to(handle, t.index(), file.toString(), flags, batchRows);
        if (rc < 0) throw new IOException("cannot write " + file + ": " + errorText(-rc));
    }

    /**
     * Queues the committed batch's rows of the tables the shim writes, and
     * writes each of those tables' batches whose oldest row waited
     * maxAgeNanos. Once per poll, after {@link EventBatch#commit}, and when
     * a poll brought nothing.
     */
    public void writeTables(long maxAgeNanos) throws IOException {
        int rc = ShimLibrary.pshim_tables_write(handle, maxAgeNanos);
        if (rc < 0) throw new IOException(errorText(-rc));
    }

    /** ns until {@link #writeTables} has a batch to write; Long.MAX_VALUE with nothing queued. */
    public long nanosUntilTablesDue(long maxAgeNanos) {
        return ShimLibrary.pshim_tables_ns_until_due(handle, maxAgeNanos);
    }

    /** Rows the shim wrote into table's file (-1: it writes none). */
    public long tableRowsWritten(CaptureTable table) {
        BatchLayout.Table t = BatchLayout.shim().table(table);
        return t == null ? -1 : ShimLibrary.pshim_table_rows_written(handle, t.index());
    }

    /** Writes the rows still queued and ends the streams of the tables the shim writes. */
    public void closeTables() throws IOException {
        int rc = ShimLibrary.pshim_tables_close(handle);
        if (rc < 0) throw new IOException(errorText(-rc));
    }

    /**
     * Ends the current or next {@link #poll} wait at once, from any thread:
     * a stop request or a command's exit need not wait out the poll timeout.
     */
    public void wake() {
        ShimLibrary.pshim_wake(handle);
    }

    /** Records the shim could not decode, so far (a malformed record is skipped, not fatal). */
    public long undecodableRecords() { return undecodable; }

    /** counters[cpu][ShimSources.Counter.index()]. */
    public long[][] counters() throws BpfException {
        int count = ShimSources.counters().size();
        long[] flat = new long[ncpus * count];
        int n = ShimLibrary.pshim_counters(handle, flat, ncpus);
        if (n < 0) throw new BpfException("cannot read BPF counters (errno " + -n + ")");
        long[][] out = new long[ncpus][count];
        for (int c = 0; c < ncpus; c++)
            System.arraycopy(flat, c * count, out[c], 0, count);
        return out;
    }

    /** IDs of every loaded program, sampler first. */
    public int[] programIds() {
        int[] ids = new int[64];
        int n = ShimLibrary.pshim_prog_ids(handle, ids, ids.length);
        return Arrays.copyOf(ids, n);
    }

    public int samplerProgramId() {
        return ShimLibrary.pshim_sampler_prog_id(handle);
    }

    /** Stops every event source; the buffers stay readable for a final drain. */
    public void detach() {
        if (handle != null) ShimLibrary.pshim_detach(handle);
    }

    @Override
    public void close() {
        if (handle != null) {
            ShimLibrary.pshim_close(handle);
            handle = null;
        }
    }

    /** The C library's text for an errno, as Java's own I/O errors read ("No space left on device"). */
    private static String errorText(int errno) {
        return ShimLibrary.pshim_strerror(errno);
    }

    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
