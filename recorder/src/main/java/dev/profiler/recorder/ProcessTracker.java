package dev.profiler.recorder;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.recorder.bpf.BpfRecords;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import dev.profiler.recorder.unwind.UnwindLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Processes and threads seen in the recording. A process is described
 * (ppid, name, command line, executable mappings) the first time it appears
 * and again when it execs (the BPF side wakes us at once, so a short-lived
 * process is usually still there to read); a child that is already gone
 * inherits its parent's mappings, which it shared until any exec. Mappings
 * are also read again when an address falls outside them (dlopen), at most
 * once a second. Threads and processes are written at the end, when
 * last_seen, exec and exit times are known; mappings as they are read.
 */
final class ProcessTracker {
    private static final long MAPS_REFRESH_NANOS = 1_000_000_000L;
    /** A new process maps its libraries just after exec, often after we read it: its first re-reads may come sooner. */
    private static final long YOUNG_MAPS_REFRESH_NANOS = 20_000_000L, YOUNG_REFRESHES = 3;

    private static final class Proc {
        ProcessMaps maps;
        long mapsReadAt;
        int refreshes;
        /** StackInterner's count of this process's unmapped frames when its mappings were last read. */
        int unmappedAtRead;
        Integer ppid;
        String name;
        String cmdline;
        Long execTs;
        Long exitTs;
    }

    private static final class Thread {
        final int pid;
        String name;
        final long firstSeen;
        long lastSeen;

        Thread(int pid, String name, long ts) {
            this.pid = pid;
            this.name = name;
            this.firstSeen = ts;
            this.lastSeen = ts;
        }
    }

    private final Path procRoot;
    private final CaptureWriter out;
    private final Symbolizer symbolizer;
    private final Map<Integer, Proc> processes = new LinkedHashMap<>();
    private final StackInterner stacks;
    private final Map<Integer, Thread> threads = new LinkedHashMap<>();
    private UnwindLoader unwind;
    private IntPredicate unwound;
    /** Processes exec'd in the last YOUNG_NANOS whose libraries may still come, by pid. */
    private final Map<Integer, Young> young = new LinkedHashMap<>();

    /** When it exec'd, and how many executable mappings it had then and at the last read. */
    private static final class Young {
        final long execAt;
        final int atExec;
        int lastRead;

        Young(long execAt, int atExec) {
            this.execAt = execAt;
            this.atExec = atExec;
            this.lastRead = atExec;
        }
    }
    /** ld.so maps a new program's libraries within milliseconds of its exec, usually after we read it. */
    private static final long YOUNG_NANOS = 250_000_000L, YOUNG_READ_NANOS = 10_000_000L;

    ProcessTracker(Path procRoot, CaptureWriter out, Symbolizer symbolizer, StackInterner stacks) {
        this.stacks = stacks;
        this.procRoot = procRoot;
        this.out = out;
        this.symbolizer = symbolizer;
    }

    /**
     * --call-graph dwarf: the mappings read of each recorded process are
     * handed to the loader of the BPF walker's tables (not those of processes
     * only seen switching with a recorded one).
     */
    void unwindWith(UnwindLoader loader, IntPredicate recorded) {
        this.unwind = loader;
        this.unwound = recorded;
    }

    /** A process or thread was forked, exec'd or exited (BPF lifecycle events, in order). */
    void lifecycle(BpfRecords.ProcEvent e) throws IOException {
        switch (e.what()) {
            case BpfRecords.PROC_FORK -> {
                if (e.pid() != e.tid() || processes.containsKey(e.pid())) return; // a new thread, or known
                Proc parent = processes.get(e.ppid());
                Proc p = describe(e.pid(), e.comm());
                if (p.maps == null && parent != null && parent.maps != null) {
                    // gone already: until an exec it ran its parent's image
                    p.maps = parent.maps;
                    writeMappings(e.pid(), p.maps, null);
                }
                if (p.ppid == null) p.ppid = e.ppid();
            }
            case BpfRecords.PROC_EXEC -> {
                Proc p = processes.computeIfAbsent(e.pid(), k -> new Proc());
                boolean identityRead = readIdentity(e.pid(), p);
                p.refreshes = 0;
                boolean mapsRead = readMaps(e.pid(), p, false);
                if (unwind != null && mapsRead) young.put(e.pid(), new Young(System.nanoTime(), p.maps.mappings().size()));
                symbolizer.forgetProcess(e.pid());
                stacks.forgetProcess(e.pid());
                if (!mapsRead) {
                    // gone before we could read it: map its own code from what
                    // exec told us (never keep the previous image's mappings)
                    ProcessMaps.Mapping code = symbolizer.codeMapping(e.pid(), e.filename(), e.startCode(), e.endCode());
                    p.maps = code == null ? null : ProcessMaps.of(List.of(code));
                    if (p.maps != null) writeMappings(e.pid(), p.maps, null);
                }
                if (!identityRead) p.cmdline = e.filename().isEmpty() ? null : e.filename();
                p.name = e.comm();
                p.execTs = e.ts();
                if (p.ppid == null) p.ppid = e.ppid();
            }
            case BpfRecords.PROC_EXIT -> {
                if (!e.groupDead()) return;
                Proc p = processes.get(e.pid());
                if (p == null) p = describe(e.pid(), e.comm());
                p.exitTs = e.ts();
                if (unwind != null) unwind.processGone(e.pid());
            }
            default -> { }
        }
    }

    /** A thread had samples from firstTs to lastTs under the name comm. */
    void sawThread(int pid, int tid, String comm, long firstTs, long lastTs) throws IOException {
        Thread t = threads.get(tid);
        if (t == null || t.pid != pid) {
            t = new Thread(pid, comm, firstTs);
            threads.put(tid, t);
        }
        t.lastSeen = lastTs;
        t.name = comm;
        if (pid != 0 && !processes.containsKey(pid)) describe(pid, comm);
    }

    /** The mappings of pid as last read (no refresh), or null for a process not described. */
    ProcessMaps currentMaps(int pid) {
        Proc p = processes.get(pid);
        return p == null ? null : p.maps;
    }

    /** Mappings of pid, re-read if addr is outside them and they are stale. */
    ProcessMaps mapsFor(int pid, long addr) throws IOException {
        return mapsFor(pid, new long[] {addr});
    }

    /**
     * Mappings of pid, re-read if one of a stack's addresses is outside them
     * and they are stale: a library mapped since (dlopen, or ld.so after
     * exec) gets its symbols, and with --call-graph dwarf its unwind table.
     */
    ProcessMaps mapsFor(int pid, long[] addrs) throws IOException {
        Proc p = processes.get(pid);
        if (p == null) return null;
        long minAge = p.refreshes < YOUNG_REFRESHES ? YOUNG_MAPS_REFRESH_NANOS : MAPS_REFRESH_NANOS;
        if (System.nanoTime() - p.mapsReadAt > minAge && !allMapped(p.maps, addrs)) {
            p.refreshes++;
            readMaps(pid, p, true);
        }
        return p.maps;
    }

    private static boolean allMapped(ProcessMaps maps, long[] addrs) {
        if (maps == null) return false;
        for (int i = 0; i < addrs.length; i++)
            if (maps.find(i == 0 ? addrs[i] : addrs[i] - 1) == null) return false;
        return true;
    }

    /**
     * --call-graph dwarf: reads again, every 10 ms for their first 250 ms,
     * the mappings of processes that just exec'd, until their libraries came
     * and stopped coming, so the walker has their tables before their first
     * 100 ms are sampled; returns whether any process is still watched (the
     * poll loop then polls sooner).
     */
    boolean refreshYoung() throws IOException {
        if (young.isEmpty()) return false;
        long now = System.nanoTime();
        var it = young.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, Young> e = it.next();
            Proc p = processes.get(e.getKey());
            Young y = e.getValue();
            if (p == null || now - y.execAt > YOUNG_NANOS) {
                it.remove();
                continue;
            }
            if (now - p.mapsReadAt < YOUNG_READ_NANOS) continue;
            if (!readMaps(e.getKey(), p, true)) {
                it.remove();
                continue;
            }
            int n = p.maps.mappings().size();
            // its libraries came, and no more since the last read: ld.so is done (dlopen is mapsFor's)
            if (n > y.atExec && n == y.lastRead) it.remove();
            y.lastRead = n;
        }
        return !young.isEmpty();
    }

    /**
     * Reads again, at most once a second, the mappings of processes with
     * frames in no mapping since their last read (a JVM maps its code cache
     * after its first samples), so StackInterner can symbolize them; at the
     * end (final) every such process that is still there, at once.
     */
    void resolveUnmapped(Map<Integer, Integer> unmappedAdded, boolean finalRead) throws IOException {
        long now = System.nanoTime();
        for (Map.Entry<Integer, Integer> e : unmappedAdded.entrySet()) {
            Proc p = processes.get(e.getKey());
            if (p == null || e.getValue() <= p.unmappedAtRead) continue;
            if (!finalRead && now - p.mapsReadAt < MAPS_REFRESH_NANOS) continue;
            // gone: what the last read saw is all there is
            if (!readMaps(e.getKey(), p, true)) stacks.resolveUnmapped(e.getKey(), p.maps);
            p.unmappedAtRead = e.getValue();
        }
    }

    private Proc describe(int pid, String comm) throws IOException {
        Proc p = new Proc();
        processes.put(pid, p);
        p.name = comm;
        readIdentity(pid, p);
        readMaps(pid, p, false);
        return p;
    }

    /** ppid, name and command line from /proc, if the process is still there (then true). */
    private boolean readIdentity(int pid, Proc p) {
        Path dir = procRoot.resolve(Integer.toString(pid));
        try {
            String stat = Files.readString(dir.resolve("stat"));
            // "pid (comm with spaces) S ppid ..."
            int close = stat.lastIndexOf(')');
            String[] f = stat.substring(close + 2).split(" ");
            p.ppid = Integer.parseInt(f[1]);
            p.name = Files.readString(dir.resolve("comm")).strip();
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            String cmdline = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            // a zombie (exited, not yet reaped) has an empty command line: not read
            if (cmdline.isEmpty()) return false;
            p.cmdline = cmdline;
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // the process already exited: keep what the events told us
        }
    }

    /**
     * Reads pid's mappings; false if it is gone (the last snapshot, if any,
     * stays). A zombie (exited, not yet reaped by its parent: a short-lived
     * process read late, on a busy machine) still has /proc/PID, with no
     * mappings: gone too, or its code would have no mapping at all.
     */
    private boolean readMaps(int pid, Proc p, boolean refresh) throws IOException {
        p.mapsReadAt = System.nanoTime();
        ProcessMaps old = p.maps;
        try {
            ProcessMaps read = ProcessMaps.read(procRoot, pid);
            if (read.mappings().isEmpty()) return false;
            p.maps = read;
        } catch (IOException e) {
            return false;
        }
        writeMappings(pid, p.maps, refresh ? old : null);
        if (refresh) stacks.resolveUnmapped(pid, p.maps);
        if (unwind != null && unwound.test(pid)) unwind.processMapped(pid, p.maps);
        return true;
    }

    /** Mapping rows of pid, leaving out those already written from `known`. */
    private void writeMappings(int pid, ProcessMaps maps, ProcessMaps known) throws IOException {
        for (ProcessMaps.Mapping m : maps.mappings()) {
            if (known != null && known.mappings().contains(m)) continue;
            out.table(CaptureTable.MAPPINGS).append(pid, m.start(), m.end(), m.offset(), m.path(),
                symbolizer.buildIdOf(pid, m.path()));
        }
    }

    /** target: whether a pid is in the recording's filter; null when the whole machine was recorded. */
    void writeProcesses(IntPredicate target) throws IOException {
        for (Map.Entry<Integer, Proc> e : processes.entrySet()) {
            Proc p = e.getValue();
            out.table(CaptureTable.PROCESSES).append(e.getKey(), p.ppid, p.name, p.cmdline, p.execTs, p.exitTs,
                target == null ? null : target.test(e.getKey()));
        }
    }

    void writeThreads() throws IOException {
        for (Map.Entry<Integer, Thread> e : threads.entrySet()) {
            Thread t = e.getValue();
            out.table(CaptureTable.THREADS).append(e.getKey(), t.pid, t.name, t.firstSeen, t.lastSeen);
        }
    }
}
