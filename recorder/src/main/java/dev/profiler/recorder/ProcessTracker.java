package dev.profiler.recorder;

import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Processes and threads seen in the recording. A process is described
 * (ppid, name, command line, executable mappings) the first time it appears,
 * while it most likely still runs; its mappings are read again when an
 * address falls outside them (dlopen), at most once a second.
 * Threads are written at the end, when their last_seen is known.
 */
final class ProcessTracker {
    private static final long MAPS_REFRESH_NANOS = 1_000_000_000L;

    private static final class Proc {
        ProcessMaps maps;
        long mapsReadAt;
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
    private final Map<Integer, Proc> processes = new HashMap<>();
    private final Map<Integer, Thread> threads = new LinkedHashMap<>();

    ProcessTracker(Path procRoot, CaptureWriter out, Symbolizer symbolizer) {
        this.procRoot = procRoot;
        this.out = out;
        this.symbolizer = symbolizer;
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

    /** Mappings of pid, re-read if addr is outside them and they are stale. */
    ProcessMaps mapsFor(int pid, long addr) throws IOException {
        Proc p = processes.get(pid);
        if (p == null) return null;
        if ((p.maps == null || p.maps.find(addr) == null) && System.nanoTime() - p.mapsReadAt > MAPS_REFRESH_NANOS)
            readMaps(pid, p, true);
        return p.maps;
    }

    private void describe(int pid, String comm) throws IOException {
        Proc p = new Proc();
        processes.put(pid, p);
        Path dir = procRoot.resolve(Integer.toString(pid));
        Integer ppid = null;
        String name = comm, cmdline = null;
        try {
            String stat = Files.readString(dir.resolve("stat"));
            // "pid (comm with spaces) S ppid ..."
            int close = stat.lastIndexOf(')');
            String[] f = stat.substring(close + 2).split(" ");
            ppid = Integer.parseInt(f[1]);
            name = Files.readString(dir.resolve("comm")).strip();
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            cmdline = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException | RuntimeException e) {
            // the process already exited: keep what the sample told us
        }
        out.table(CaptureTable.PROCESSES).append(pid, ppid, name, cmdline, null, null);
        readMaps(pid, p, false);
    }

    private void readMaps(int pid, Proc p, boolean refresh) throws IOException {
        p.mapsReadAt = System.nanoTime();
        ProcessMaps old = p.maps;
        try {
            p.maps = ProcessMaps.read(procRoot, pid);
        } catch (IOException e) {
            return; // gone; the last snapshot (if any) stays
        }
        for (ProcessMaps.Mapping m : p.maps.mappings()) {
            if (refresh && old != null && old.mappings().contains(m)) continue;
            out.table(CaptureTable.MAPPINGS).append(pid, m.start(), m.end(), m.offset(), m.path(),
                symbolizer.buildIdOf(pid, m.path()));
        }
    }

    void writeThreads() throws IOException {
        for (Map.Entry<Integer, Thread> e : threads.entrySet()) {
            Thread t = e.getValue();
            out.table(CaptureTable.THREADS).append(e.getKey(), t.pid, t.name, t.firstSeen, t.lastSeen);
        }
    }
}
