package dev.profiler.recorder;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Has the HotSpot JVMs being recorded write their perf maps while they run,
 * so their JIT frames get names even when they exit before the recording
 * ends (a JVM started by `-- CMD`): as soon as one shows JIT frames no map
 * names, then again whenever it shows new ones (code compiled since the
 * last map), 1 s after the first request, then 2, 4 and every 8 s at most,
 * and once more at the end. Not more often: writing the map holds the JVM's
 * code cache lock (~55 ms on a build's javac, seen as its compiler threads'
 * lock waits "unblocked by Attach Listener"). The `-- CMD` process is the
 * exception: it is asked every second while it shows new frames, since its
 * exit is what ends the recording and nothing can ask it after that.
 *
 * The requests run on a thread of their own (the first one waits up to 3 s
 * for the JVM's attach listener): the poll loop that drains the BPF buffers
 * never waits for a JVM.
 */
final class JitNamer implements AutoCloseable {
    private static final long FIRST_INTERVAL_NANOS = 1_000_000_000L, MAX_INTERVAL_NANOS = 8_000_000_000L;

    private final Path procRoot;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jit-namer");
        t.setDaemon(true);
        return t;
    });
    private final Map<Integer, Long> lastAsked = new HashMap<>();
    /** How long after its last request a JVM may be asked again: doubles each time, up to MAX_INTERVAL_NANOS. */
    private final Map<Integer, Long> interval = new HashMap<>();
    /** The `-- CMD` process, asked every second (0: none). */
    private int command;
    private final Map<Integer, Integer> unnamedWhenAsked = new HashMap<>();
    private final Map<Integer, Boolean> hotSpot = new HashMap<>();
    private final Map<Integer, String> failures = new ConcurrentHashMap<>();

    JitNamer(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** The process `-- CMD` started: asked every second while it shows new JIT frames. */
    void command(int pid) {
        command = pid;
    }

    /**
     * Called from the poll loop with each process's count of unnamed JIT
     * frames: queues the requests due (new frames since the last one).
     */
    void due(Map<Integer, Integer> unnamedByPid) {
        long now = System.nanoTime();
        for (Map.Entry<Integer, Integer> e : unnamedByPid.entrySet()) {
            int pid = e.getKey();
            Long last = lastAsked.get(pid);
            if (last != null && (now - last < interval.get(pid) || e.getValue() <= unnamedWhenAsked.get(pid))) continue;
            interval.put(pid, last == null || pid == command ? FIRST_INTERVAL_NANOS
                : Math.min(MAX_INTERVAL_NANOS, 2 * interval.get(pid)));
            lastAsked.put(pid, now);
            unnamedWhenAsked.put(pid, e.getValue());
            if (!hotSpot.computeIfAbsent(pid, p -> HotSpotPerfMap.isHotSpot(procRoot, p))) continue;
            worker.execute(() -> ask(pid));
        }
    }

    /** At the end: waits for queued requests, asks every JVM still running once more, reports failures. */
    void finish(Set<Integer> pids, PrintStream err) throws InterruptedException {
        worker.shutdown();
        worker.awaitTermination(10, TimeUnit.SECONDS);
        for (int pid : pids)
            if (hotSpot.computeIfAbsent(pid, p -> HotSpotPerfMap.isHotSpot(procRoot, p))) ask(pid);
        failures.forEach((pid, why) -> err.println("profiler-rec: JVM " + pid + " gave no perf map for its JIT frames: " + why));
    }

    private void ask(int pid) {
        if (!procRoot.resolve(Integer.toString(pid)).toFile().exists()) return; // gone: its last map is what we have
        if (failures.containsKey(pid)) return; // never signal a JVM twice that did not answer the first time
        String why = HotSpotPerfMap.request(procRoot, pid);
        // a JVM that exited while it was being asked (a build's short-lived javac) did not fail: it is gone
        if (why != null && procRoot.resolve(Integer.toString(pid)).toFile().exists()) failures.put(pid, why);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
