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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;

/**
 * Processes and threads seen in the recording. A process is described
 * (ppid, name, command line, executable mappings) the first time it appears
 * and again when it execs (the BPF side wakes us at once, so a short-lived
 * process is usually still there to read); a child that is already gone
 * inherits its parent's mappings, which it shared until any exec. Mappings
 * are also read again when an address falls outside them (dlopen), at most
 * once a second, and less often while such reads find nothing new. Threads and processes are written at the end, when
 * last_seen, exec and exit times are known; mappings as they are read.
 */
final class ProcessTracker {
    private static final long MAPS_REFRESH_NANOS = 1_000_000_000L;
    /**
     * Each re-read that finds the same mappings doubles the wait before the
     * next, up to this. Code without frame pointers walked with --call-graph
     * fp (Debian's: nearly everything) yields made-up return addresses in no
     * mapping, new ones in every second of samples: a busy such process had
     * its mappings read and compared every second of the recording, however
     * long. Frames that wait are symbolized at the next read or at the stop,
     * never lost (StackInterner holds them back).
     */
    private static final long MAX_MAPS_REFRESH_NANOS = 16_000_000_000L;
    /** A new process maps its libraries just after exec, often after we read it: its first re-reads may come sooner. */
    private static final long YOUNG_MAPS_REFRESH_NANOS = 20_000_000L, YOUNG_REFRESHES = 3;

    private static final class Proc {
        ProcessMaps maps;
        long mapsReadAt;
        int refreshes;
        /** Wait before re-reading for addresses outside the mappings: grows while re-reads find nothing new. */
        long refreshEvery = MAPS_REFRESH_NANOS;
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
    /**
     * --call-graph dwarf: processes whose loader changed their libraries
     * (the libraries source's events) since their mappings were last read,
     * read again at most every MAPPED_READ_NANOS: the loader reports a
     * change before and after it maps, and dlopen's of several libraries
     * come in bursts; read at the first report and once after.
     */
    private final Set<Integer> mappedSinceRead = new LinkedHashSet<>();
    private static final long MAPPED_READ_NANOS = 10_000_000L;

    private final LongSupplier clock;
    /** /proc/PID/maps reads so far, every process. */
    private long mapsReads;

    ProcessTracker(Path procRoot, CaptureWriter out, Symbolizer symbolizer, StackInterner stacks) {
        this(procRoot, out, symbolizer, stacks, System::nanoTime);
    }

    /** clock: nanoTime, or a test's. */
    ProcessTracker(Path procRoot, CaptureWriter out, Symbolizer symbolizer, StackInterner stacks, LongSupplier clock) {
        this.clock = clock;
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

    long mapsReads() { return mapsReads; }

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
                mappedSinceRead.remove(e.pid());
            }
            case BpfRecords.PROC_LIBS -> librariesChanged(e.pid(), e.comm());
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
        long minAge = p.refreshes < YOUNG_REFRESHES ? YOUNG_MAPS_REFRESH_NANOS : p.refreshEvery;
        if (clock.getAsLong() - p.mapsReadAt > minAge && !allMapped(p.maps, addrs)) readMaps(pid, p, true);
        return p.maps;
    }

    private static boolean allMapped(ProcessMaps maps, long[] addrs) {
        if (maps == null) return false;
        for (int i = 0; i < addrs.length; i++)
            if (maps.find(i == 0 ? addrs[i] : addrs[i] - 1) == null) return false;
        return true;
    }

    /**
     * A recorded process's loader changed its libraries (--call-graph
     * dwarf): its mappings are read now, so the walker has a new library's
     * table before its code's first samples, or, if they were read less than
     * MAPPED_READ_NANOS ago, at {@link #refreshLibraries}. A process not
     * described yet is described now.
     */
    private void librariesChanged(int pid, String comm) throws IOException {
        if (unwind == null || !unwound.test(pid)) return;
        Proc p = processes.get(pid);
        if (p == null) describe(pid, comm);
        else if (clock.getAsLong() - p.mapsReadAt >= MAPPED_READ_NANOS) readMaps(pid, p, true);
        else mappedSinceRead.add(pid);
    }

    /**
     * Reads the mappings of the processes whose libraries changed too soon
     * after their last read; returns whether any is still waiting (the poll
     * loop then polls again within MAPPED_READ_NANOS).
     */
    boolean refreshLibraries() throws IOException {
        if (mappedSinceRead.isEmpty()) return false;
        long now = clock.getAsLong();
        var it = mappedSinceRead.iterator();
        while (it.hasNext()) {
            int pid = it.next();
            Proc p = processes.get(pid);
            if (p != null && now - p.mapsReadAt < MAPPED_READ_NANOS) continue;
            it.remove();
            if (p != null) readMaps(pid, p, true);
        }
        return !mappedSinceRead.isEmpty();
    }

    /**
     * Reads again, at most once a second, the mappings of processes with
     * frames in no mapping since their last read (a JVM maps its code cache
     * after its first samples), so StackInterner can symbolize them; at the
     * end (final) every such process that is still there, at once.
     */
    void resolveUnmapped(Map<Integer, Integer> unmappedAdded, boolean finalRead) throws IOException {
        long now = clock.getAsLong();
        for (Map.Entry<Integer, Integer> e : unmappedAdded.entrySet()) {
            Proc p = processes.get(e.getKey());
            if (p == null || e.getValue() <= p.unmappedAtRead) continue;
            if (!finalRead && now - p.mapsReadAt < p.refreshEvery) continue;
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
        p.mapsReadAt = clock.getAsLong();
        ProcessMaps old = p.maps;
        boolean young = p.refreshes < YOUNG_REFRESHES;
        if (refresh) p.refreshes++;
        try {
            ProcessMaps read = ProcessMaps.read(procRoot, pid);
            if (read.mappings().isEmpty()) return false;
            p.maps = read;
            mapsReads++;
            // not while young: a new process is still mapping its libraries
            boolean same = !young && old != null && old.mappings().equals(read.mappings());
            p.refreshEvery = same ? Math.min(2 * p.refreshEvery, MAX_MAPS_REFRESH_NANOS) : MAPS_REFRESH_NANOS;
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

    /**
     * A thread's last event time and latest name at the stop, from the
     * shim's list of every thread (which reports a thread only in the batch
     * it is new in), in the order first seen: an entry for a tid now known
     * under another pid is an earlier thread of that tid, superseded.
     */
    void threadAtStop(int pid, int tid, String comm, long lastTs) {
        Thread t = threads.get(tid);
        if (t == null || t.pid != pid) return;
        t.lastSeen = Math.max(t.lastSeen, lastTs);
        t.name = comm;
    }

    void writeThreads() throws IOException {
        for (Map.Entry<Integer, Thread> e : threads.entrySet()) {
            Thread t = e.getValue();
            out.table(CaptureTable.THREADS).append(e.getKey(), t.pid, t.name, t.firstSeen, t.lastSeen);
        }
    }
}
