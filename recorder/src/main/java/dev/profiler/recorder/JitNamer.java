package dev.profiler.recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Gets the JIT frames of the HotSpot JVMs being recorded named, even those
 * of a JVM that exits before the recording ends (a JVM started by `-- CMD`,
 * a build's javac):
 *
 * - A JVM that shows JIT frames no map names is set to write its perf map
 *   when it exits (HotSpotExitMap); the `-- CMD` JVM as soon as its VM has
 *   started. Its exit then names every frame up to its last instruction,
 *   with no request racing it, and it is not asked while it runs.
 * - A JVM still running at the end is asked for its map once (the attach
 *   API, as `jcmd Compiler.perfmap`), and its flag is cleared again.
 * - Where the flag cannot be set (a stripped libjvm.so, no right to write
 *   its memory), the JVM is asked while it runs, as JDK 17's tools allow:
 *   whenever it shows new frames, 1 s after the first request, then 2, 4
 *   and every 8 s at most (a map request holds the JVM's code cache lock,
 *   ~55 ms on a build's javac); the `-- CMD` process every second.
 *
 * The JVMs are written to and asked on a thread of their own (the first
 * request waits up to 3 s for the JVM's attach listener): the poll loop
 * that drains the BPF buffers never waits for a JVM.
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
    /** Its executable when last seen, and since when (watchCommand). */
    private String commandExe;
    private long commandExeSince;
    private static final long COMMAND_WATCH_NANOS = 2_000_000_000L;
    private final Map<Integer, Integer> unnamedWhenAsked = new HashMap<>();
    private final Map<Integer, Boolean> hotSpot = new HashMap<>();
    /** JVMs whose exit flag was tried (poll thread only). */
    private final Set<Integer> exitMapTried = new HashSet<>();
    /** JVMs that write their map at exit: never asked while they run. */
    private final Set<Integer> mapsAtExit = ConcurrentHashMap.newKeySet();
    /** Flags this recorder set, cleared at the end in JVMs still running. */
    private final List<HotSpotExitMap.SetFlag> flagsSet = new CopyOnWriteArrayList<>();
    private final Map<Integer, String> exitMapFailures = new ConcurrentHashMap<>();
    private final Map<Integer, String> failures = new ConcurrentHashMap<>();

    JitNamer(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** The process `-- CMD` started: asked every second while it shows new JIT frames. */
    void command(int pid) {
        command = pid;
    }

    /**
     * Called from every turn of the poll loop: once the `-- CMD` process is
     * a HotSpot JVM whose VM has started (its flags parsed, so none of them
     * is written over later), sets it to write its map at exit. Its maps
     * are read only in the 2 s after it starts or execs (a launcher maps
     * libjvm.so within milliseconds): a command that is no JVM costs one
     * readlink per turn, not a read of its maps. A JVM missed that way is
     * still set once it shows unnamed JIT frames (due).
     */
    void watchCommand() {
        if (command == 0 || exitMapTried.contains(command)) return;
        String exe;
        try {
            exe = Files.readSymbolicLink(procRoot.resolve(command + "/exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return; // gone, or not yet readable
        }
        long now = System.nanoTime();
        if (!exe.equals(commandExe)) {
            commandExe = exe;
            commandExeSince = now;
        } else if (now - commandExeSince > COMMAND_WATCH_NANOS) {
            return;
        }
        if (!HotSpotPerfMap.isHotSpot(procRoot, command) || !vmStarted(command)) return;
        hotSpot.put(command, true);
        exitMapTried.add(command);
        int pid = command;
        worker.execute(() -> setExitMap(pid));
    }

    /**
     * Called from the poll loop with each process's count of unnamed JIT
     * frames: sets a new JVM to write its map at exit, or where that cannot
     * be, queues the requests due (new frames since the last one).
     */
    void due(Map<Integer, Integer> unnamedByPid) {
        long now = System.nanoTime();
        for (Map.Entry<Integer, Integer> e : unnamedByPid.entrySet()) {
            int pid = e.getKey();
            if (mapsAtExit.contains(pid)) continue;
            if (!exitMapTried.contains(pid)) {
                if (!hotSpot.computeIfAbsent(pid, p -> HotSpotPerfMap.isHotSpot(procRoot, p))) continue;
                exitMapTried.add(pid);
                lastAsked.put(pid, now);
                interval.put(pid, FIRST_INTERVAL_NANOS);
                unnamedWhenAsked.put(pid, e.getValue());
                worker.execute(() -> {
                    if (!setExitMap(pid)) ask(pid);
                });
                continue;
            }
            Long last = lastAsked.get(pid);
            if (last != null && (now - last < interval.get(pid) || e.getValue() <= unnamedWhenAsked.get(pid))) continue;
            interval.put(pid, last == null || pid == command ? FIRST_INTERVAL_NANOS
                : Math.min(MAX_INTERVAL_NANOS, 2 * interval.get(pid)));
            lastAsked.put(pid, now);
            unnamedWhenAsked.put(pid, e.getValue());
            if (!hotSpot.computeIfAbsent(pid, p -> HotSpotPerfMap.isHotSpot(procRoot, p))) continue;
            worker.execute(() -> {
                if (!mapsAtExit.contains(pid)) ask(pid); // its flag may have been set meanwhile
            });
        }
    }

    /**
     * At the end: waits for queued work, asks every JVM still running for a
     * last map, clears the flags it set in them (after the request: a JVM
     * exiting in between still writes its map), reports failures.
     */
    void finish(Set<Integer> pids, PrintStream err) throws InterruptedException {
        worker.shutdown();
        worker.awaitTermination(10, TimeUnit.SECONDS);
        for (int pid : pids)
            if (hotSpot.computeIfAbsent(pid, p -> HotSpotPerfMap.isHotSpot(procRoot, p))) ask(pid);
        for (HotSpotExitMap.SetFlag flag : flagsSet) {
            try {
                HotSpotExitMap.undo(procRoot, flag);
            } catch (IOException e) {
                err.println("profiler-rec: JVM " + flag.pid() + " keeps " + HotSpotExitMap.FLAG
                    + " on (it will write /tmp/perf-" + flag.pid() + ".map when it exits): " + e.getMessage());
            }
        }
        failures.forEach((pid, why) -> err.println("profiler-rec: JVM " + pid + " gave no perf map for its JIT frames: "
            + why + (exitMapFailures.containsKey(pid) ? "; nor could it be set to write one at exit: "
                + exitMapFailures.get(pid) : "")));
    }

    private boolean setExitMap(int pid) {
        try {
            HotSpotExitMap.SetFlag flag = HotSpotExitMap.enable(procRoot, pid);
            if (flag != null) flagsSet.add(flag);
            mapsAtExit.add(pid);
            return true;
        } catch (IOException | RuntimeException e) { // RuntimeException: a maps or stat line not as documented
            exitMapFailures.put(pid, e.getMessage());
            return false;
        }
    }

    /** Whether the JVM's VM thread runs: HotSpot starts it once its arguments are parsed. */
    private boolean vmStarted(int pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(procRoot.resolve(pid + "/task"))) {
            for (Path task : tasks)
                if (Files.readString(task.resolve("comm")).strip().equals("VM Thread")) return true;
        } catch (IOException e) {
            // gone, or a thread gone while listed: not started as far as we can tell
        }
        return false;
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
