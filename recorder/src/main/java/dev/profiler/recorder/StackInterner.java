package dev.profiler.recorder;

import com.carrotsearch.hppc.IntObjectHashMap;
import com.carrotsearch.hppc.LongIntHashMap;
import com.carrotsearch.hppc.ObjectIntHashMap;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.recorder.symbols.Frame;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * Deduplicates stacks and frames. A raw stack (pid + addresses) comes here
 * once (the shim interns raw stacks) and is symbolized then; its frames are keyed by module, build id and file offset,
 * so the same code in two processes is one frame, and the same symbolized
 * stack is one stack_id. New frames and stacks are appended to the capture
 * as they appear.
 *
 * Its indexes live for the whole recording, so they are kept small: keyed
 * by primitives, and a stack by a 128-bit fingerprint of its frame ids
 * rather than the ids themselves (FingerprintIndex).
 */
final class StackInterner {
    /** Outermost user functions that mean "the unwinder reached the thread's start". */
    static final Set<String> THREAD_ENTRY_POINTS = Set.of(
        "_start", "__libc_start_main", "__libc_start_main_impl", "__libc_start_main_alias_2", "__libc_start_call_main",
        "clone", "clone3", "__clone", "__clone3", "__clone_internal", "start_thread", "thread_start");

    /*
     * FrameKey writes equals and hashCode out: a record's generated
     * ones go through method handles (ObjectMethods), which the recorder's
     * C1-only JIT does not inline; they were ~10% of its steady CPU.
     */

    private record FrameKey(Frame.Kind kind, String module, String buildId, long offset, int jitPid) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FrameKey k && k.offset == offset && k.jitPid == jitPid && k.kind == kind
                && k.module.equals(module) && Objects.equals(k.buildId, buildId);
        }

        @Override
        public int hashCode() {
            return ((int) (offset ^ (offset >>> 32)) * 31 + module.hashCode()) * 31 + jitPid;
        }
    }

    private final Symbolizer symbolizer;
    private final CaptureWriter out;
    /** Kernel address -> frame id. */
    private final LongIntHashMap kernelFrames = new LongIntHashMap();
    private final ObjectIntHashMap<FrameKey> userFrames = new ObjectIntHashMap<>();
    /** Per process: user address (shifted left, the low bit set for a return address) -> frame id. */
    private final IntObjectHashMap<LongIntHashMap> userAddresses = new IntObjectHashMap<>();
    /** Frame ids of thread entry points. */
    private final BitSet entryPointFrames = new BitSet();
    /** User frames of a file with no symbol there (held-back frames too, until resolved: they count as unnamed). */
    private final BitSet unnamedUserFrames = new BitSet();
    private final FingerprintIndex stacks = new FingerprintIndex();
    /** A frame held back: symbolized later, when more is known. */
    private record PendingFrame(int pid, long address, boolean returnAddress) {}

    /** JIT frames not in a perf map yet: written at the end, after one more look. */
    private final Map<Long, PendingFrame> pendingJit = new HashMap<>();
    /**
     * User frames in no mapping we had read: held back, and resolved when the
     * process's mappings are read again (ProcessTracker.resolveUnmapped), or
     * written as [unknown] at the end. A JVM maps its code cache after its
     * first samples; frozen as [unknown] then, its JIT frames never got names.
     */
    private final Map<Integer, Map<Long, PendingFrame>> pendingUnmapped = new HashMap<>();
    /** How many unmapped frames each process ever had (ProcessTracker reads its mappings again when it grows). */
    private final Map<Integer, Integer> unmappedAdded = new HashMap<>();
    /** pendingJit's count per process, kept as frames are added: the poll loop reads it ten times a second. */
    private final Map<Integer, Integer> unnamedJit = new TreeMap<>();

    StackInterner(Symbolizer symbolizer, CaptureWriter out) {
        this.symbolizer = symbolizer;
        this.out = out;
    }

    /** Leaf kernel frames of a stack taken inside a tracing program: the program and how the kernel called it. */
    private static final List<String> TRACING_FRAME_PREFIXES = List.of(
        "bpf_prog_", "bpf_trace_run", "__bpf_trace_", "__traceiter_", "bpf_trampoline_", "trace_call_bpf",
        "perf_trace_run_bpf_submit", "perf_syscall_enter", "perf_syscall_exit");

    /** The stack_id of a raw stack (the shim reports each distinct one once). */
    long stackId(int pid, ProcessMaps maps, long[] kernel, long[] user) throws IOException {
        return stackId(pid, maps, kernel, user, false);
    }

    /**
     * The stack_id of a raw stack. event: taken inside a tracing program
     * (switch, lock, futex); its leading tracing frames are dropped, so the
     * stack starts where the traced code was (perf lock skips them the same
     * way).
     */
    long stackId(int pid, ProcessMaps maps, long[] kernel, long[] user, boolean event) throws IOException {
        if (event) kernel = withoutTracingFrames(kernel);
        long[] ids = new long[kernel.length + user.length];
        for (int i = 0; i < kernel.length; i++) ids[i] = kernelFrameId(kernel[i], i > 0);
        LongIntHashMap addresses = user.length == 0 ? null : userAddresses.get(pid);
        if (addresses == null && user.length > 0) userAddresses.put(pid, addresses = new LongIntHashMap());
        for (int i = 0; i < user.length; i++) {
            long key = user[i] << 1 | (i > 0 ? 1 : 0);
            int slot = addresses.indexOf(key);
            int fid;
            if (addresses.indexExists(slot)) fid = addresses.indexGet(slot);
            else {
                fid = userFrameId(symbolizer.userFrame(pid, maps, user[i], i > 0), pid, i > 0);
                addresses.indexInsert(slot, key, fid);
            }
            ids[kernel.length + i] = fid;
        }
        ByteBuffer bytes = ByteBuffer.allocate(ids.length * 8);
        bytes.asLongBuffer().put(ids);
        long[] fingerprint = MurmurHash3.hash128x64(bytes.array(), 0, bytes.capacity(), kernel.length);
        int id = stacks.find(fingerprint[0], fingerprint[1]);
        if (id < 0) {
            id = stacks.add(fingerprint[0], fingerprint[1]);
            boolean truncated = user.length > 0 && !reachesEntryPoint(ids, user.length);
            out.table(CaptureTable.STACKS).append((long) id, ids, (short) kernel.length, truncated);
        }
        return id;
    }

    /**
     * A process exec'd: its addresses now mean other code. (The shim still
     * interns raw stacks by pid and address; with address randomization a
     * new image rarely reuses the old one's addresses.)
     */
    void forgetProcess(int pid) throws IOException {
        userAddresses.remove(pid);
        writeUnmapped(pid);
    }

    private long[] withoutTracingFrames(long[] kernel) {
        int skip = 0;
        while (skip < kernel.length && isTracingFrame(symbolizer.kernelFrame(kernel[skip], skip > 0))) skip++;
        return skip == 0 ? kernel : Arrays.copyOfRange(kernel, skip, kernel.length);
    }

    private static boolean isTracingFrame(Frame f) {
        if ("[bpf]".equals(f.module())) return true;
        String fn = f.function();
        if (fn == null) return false;
        for (String prefix : TRACING_FRAME_PREFIXES)
            if (fn.startsWith(prefix)) return true;
        return false;
    }

    private int kernelFrameId(long addr, boolean returnAddress) throws IOException {
        int slot = kernelFrames.indexOf(addr);
        if (kernelFrames.indexExists(slot)) return kernelFrames.indexGet(slot);
        int newId = nextFrameId();
        kernelFrames.indexInsert(slot, addr, newId);
        writeFrame(newId, symbolizer.kernelFrame(addr, returnAddress));
        return newId;
    }

    private int userFrameId(Frame f, int pid, boolean returnAddress) throws IOException {
        FrameKey key = new FrameKey(f.kind(), f.module(), f.buildId(), f.offset(),
            f.kind() == Frame.Kind.JIT || f.module().equals("[unknown]") ? pid : 0);
        int slot = userFrames.indexOf(key);
        if (userFrames.indexExists(slot)) return userFrames.indexGet(slot);
        int newId = nextFrameId();
        userFrames.indexInsert(slot, key, newId);
        if (f.function() != null && THREAD_ENTRY_POINTS.contains(f.function())) entryPointFrames.set(newId);
        if (f.function() == null && f.kind() == Frame.Kind.USER) unnamedUserFrames.set(newId);
        if (f.kind() == Frame.Kind.USER && f.module().equals("[unknown]")) {
            pendingUnmapped.computeIfAbsent(pid, k -> new HashMap<>()).put((long) newId, new PendingFrame(pid, f.address(), returnAddress));
            unmappedAdded.merge(pid, 1, Integer::sum);
        }
        else placeFrame(newId, f, pid, returnAddress);
        return newId;
    }

    /** Writes a symbolized frame, or holds it back if it is JIT code no perf map names yet. */
    private void placeFrame(long id, Frame f, int pid, boolean returnAddress) throws IOException {
        if (f.kind() == Frame.Kind.JIT && f.function() == null) {
            pendingJit.put(id, new PendingFrame(pid, f.address(), returnAddress));
            unnamedJit.merge(pid, 1, Integer::sum);
        }
        else writeFrame(id, f);
    }

    /** How many unmapped frames each process has had so far (only grows). */
    Map<Integer, Integer> unmappedAddedByPid() {
        return Collections.unmodifiableMap(unmappedAdded);
    }

    /**
     * The process's mappings were read again: its held-back frames that are
     * now in a mapping are symbolized (JIT ones wait for a perf map).
     */
    void resolveUnmapped(int pid, ProcessMaps maps) throws IOException {
        Map<Long, PendingFrame> pending = pendingUnmapped.get(pid);
        if (maps == null || pending == null) return;
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, PendingFrame> e = it.next();
            PendingFrame p = e.getValue();
            if (maps.find(p.returnAddress() ? p.address() - 1 : p.address()) == null) continue;
            it.remove();
            placeFrame(e.getKey(), symbolizer.userFrame(pid, maps, p.address(), p.returnAddress()), pid, p.returnAddress());
        }
    }

    /** Writes pid's held-back frames as [unknown]: its mappings are gone (exec) or final. */
    private void writeUnmapped(int pid) throws IOException {
        Map<Long, PendingFrame> pending = pendingUnmapped.remove(pid);
        if (pending == null) return;
        for (Map.Entry<Long, PendingFrame> e : pending.entrySet()) {
            PendingFrame p = e.getValue();
            writeFrame(e.getKey(), symbolizer.userFrame(pid, null, p.address(), p.returnAddress()));
        }
    }

    /**
     * Whether the outermost user frame is a thread entry point, or has no
     * name (a stripped program's _start: Debian strips /usr/bin) just outside
     * one (the C library's start routine).
     */
    private boolean reachesEntryPoint(long[] ids, int userFrames) {
        int outermost = (int) ids[ids.length - 1];
        if (entryPointFrames.get(outermost)) return true;
        return userFrames >= 2 && unnamedUserFrames.get(outermost) && entryPointFrames.get((int) ids[ids.length - 2]);
    }

    private int nextFrameId() {
        return kernelFrames.size() + userFrames.size();
    }

    private void writeFrame(long id, Frame f) throws IOException {
        out.table(CaptureTable.FRAMES).append(id, f.address(), f.module(), f.buildId(), f.offset(),
            f.function(), f.functionOffset(), null, null, false, f.kind().columnValue);
    }

    /**
     * Writes the frames held back: those still in no mapping as [unknown],
     * JIT ones after reading the perf maps again (a JVM with
     * -XX:+DumpPerfMapAtExit writes its map only when it exits).
     */
    void finish() throws IOException {
        for (int pid : List.copyOf(pendingUnmapped.keySet())) writeUnmapped(pid);
        symbolizer.reloadPerfMaps();
        for (Map.Entry<Long, PendingFrame> e : pendingJit.entrySet()) {
            PendingFrame p = e.getValue();
            writeFrame(e.getKey(), symbolizer.jitFrame(p.pid(), p.address(), p.returnAddress()));
        }
        pendingJit.clear();
        unnamedJit.clear();
    }

    /** Processes with JIT frames no perf map named yet. */
    Set<Integer> pidsWithUnnamedJit() {
        return new TreeSet<>(unnamedJit.keySet());
    }

    /** How many JIT frames each process has that no perf map named yet (a read-only view). */
    Map<Integer, Integer> unnamedJitByPid() {
        return Collections.unmodifiableMap(unnamedJit);
    }

    long stackCount() { return stacks.size(); }

    long frameCount() { return kernelFrames.size() + userFrames.size(); }
}
