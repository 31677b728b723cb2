package dev.profiler.recorder;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.recorder.symbols.Frame;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Deduplicates stacks and frames. A raw stack (pid + addresses) comes here
 * once (the shim interns raw stacks) and is symbolized then; its frames are keyed by module, build id and file offset,
 * so the same code in two processes is one frame, and the same symbolized
 * stack is one stack_id. New frames and stacks are appended to the capture
 * as they appear.
 */
final class StackInterner {
    /** Outermost user functions that mean "the unwinder reached the thread's start". */
    static final Set<String> THREAD_ENTRY_POINTS = Set.of(
        "_start", "__libc_start_main", "__libc_start_main_impl", "__libc_start_call_main",
        "clone", "clone3", "__clone", "__clone3", "__clone_internal", "start_thread", "thread_start");

    /** A user address as one process saw it; symbolized once, whatever stacks it appears in. */
    private record UserAddress(int pid, long address, boolean returnAddress) {}

    private record FrameKey(Frame.Kind kind, String module, String buildId, long offset, int jitPid) {}

    private record StackKey(long[] frameIds, int kernelFrames) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StackKey k && k.kernelFrames == kernelFrames && Arrays.equals(k.frameIds, frameIds);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(frameIds) + kernelFrames;
        }
    }

    private final Symbolizer symbolizer;
    private final CaptureWriter out;
    private final Map<Long, Long> kernelFrames = new HashMap<>();
    private final Map<FrameKey, Long> userFrames = new HashMap<>();
    private final Map<UserAddress, Long> userAddresses = new HashMap<>();
    private final Map<Long, Boolean> entryPointFrames = new HashMap<>();
    private final Map<StackKey, Long> stacks = new HashMap<>();
    /** JIT frames not in a perf map yet: written at the end, after one more look. */
    private record PendingJit(int pid, long address, boolean returnAddress) {}

    private final Map<Long, PendingJit> pendingJit = new HashMap<>();
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
        for (int i = 0; i < user.length; i++) {
            UserAddress a = new UserAddress(pid, user[i], i > 0);
            Long fid = userAddresses.get(a);
            if (fid == null) {
                fid = userFrameId(symbolizer.userFrame(pid, maps, user[i], i > 0), pid, i > 0);
                userAddresses.put(a, fid);
            }
            ids[kernel.length + i] = fid;
        }
        boolean truncated = user.length > 0 && !entryPointFrames.getOrDefault(ids[ids.length - 1], false);
        StackKey key = new StackKey(ids, kernel.length);
        Long id = stacks.get(key);
        if (id == null) {
            id = (long) stacks.size();
            stacks.put(key, id);
            out.table(CaptureTable.STACKS).append(id, ids, (short) kernel.length, truncated);
        }
        return id;
    }

    /**
     * A process exec'd: its addresses now mean other code. (The shim still
     * interns raw stacks by pid and address; with address randomization a
     * new image rarely reuses the old one's addresses.)
     */
    void forgetProcess(int pid) {
        userAddresses.keySet().removeIf(a -> a.pid() == pid);
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

    private long kernelFrameId(long addr, boolean returnAddress) throws IOException {
        Long id = kernelFrames.get(addr);
        if (id != null) return id;
        long newId = nextFrameId();
        kernelFrames.put(addr, newId);
        writeFrame(newId, symbolizer.kernelFrame(addr, returnAddress));
        return newId;
    }

    private long userFrameId(Frame f, int pid, boolean returnAddress) throws IOException {
        FrameKey key = new FrameKey(f.kind(), f.module(), f.buildId(), f.offset(),
            f.kind() == Frame.Kind.JIT || f.module().equals("[unknown]") ? pid : 0);
        Long id = userFrames.get(key);
        if (id != null) return id;
        long newId = nextFrameId();
        userFrames.put(key, newId);
        entryPointFrames.put(newId, f.function() != null && THREAD_ENTRY_POINTS.contains(f.function()));
        if (f.kind() == Frame.Kind.JIT && f.function() == null) {
            pendingJit.put(newId, new PendingJit(pid, f.address(), returnAddress));
            unnamedJit.merge(pid, 1, Integer::sum);
        }
        else writeFrame(newId, f);
        return newId;
    }

    private long nextFrameId() {
        return kernelFrames.size() + userFrames.size();
    }

    private void writeFrame(long id, Frame f) throws IOException {
        out.table(CaptureTable.FRAMES).append(id, f.address(), f.module(), f.buildId(), f.offset(),
            f.function(), f.functionOffset(), null, null, false, f.kind().columnValue);
    }

    /**
     * Writes the JIT frames held back, after reading the perf maps again: a
     * JVM with -XX:+DumpPerfMapAtExit writes its map only when it exits.
     */
    void finish() throws IOException {
        symbolizer.reloadPerfMaps();
        for (Map.Entry<Long, PendingJit> e : pendingJit.entrySet()) {
            PendingJit p = e.getValue();
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
