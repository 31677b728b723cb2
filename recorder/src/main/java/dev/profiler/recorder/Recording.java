package dev.profiler.recorder;

import dev.profiler.formats.CaptureException;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Column;
import dev.profiler.formats.Manifest;
import dev.profiler.recorder.bpf.BatchColumns;
import dev.profiler.recorder.bpf.BatchLayout;
import dev.profiler.recorder.bpf.BpfException;
import dev.profiler.recorder.bpf.BpfRecords;
import dev.profiler.recorder.bpf.BpfSession;
import dev.profiler.recorder.bpf.EventBatch;
import dev.profiler.recorder.bpf.ShimBatchSink;
import dev.profiler.recorder.bpf.ShimSources;
import dev.profiler.recorder.symbols.ElfCache;
import dev.profiler.recorder.symbols.ElfFile;
import dev.profiler.recorder.symbols.KernelSymbols;
import dev.profiler.recorder.symbols.ProcessMaps;
import dev.profiler.recorder.symbols.Symbolizer;
import dev.profiler.recorder.unwind.UnwindLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One recording, start to finish: load and attach the BPF programs, drain
 * their buffer in batches, symbolize and write, then stop cleanly (detach
 * everything, drain what is left, write the counters).
 */
public final class Recording {
    /**
     * Poll timeout: how long the consumer sleeps when the BPF side has not
     * woken it (a ring a quarter full does, and with --call-graph dwarf so
     * does every change of a recorded process's libraries,
     * bpf/libraries.bpf.c). Each loop costs the recorder ~0.1-0.25 ms
     * however little it drains: recorder CPU per second at 999 Hz
     * (bench/steady-cost): 100 ms 7.9-8.8 ms/s, 250 ms 6.0-7.1, 500 ms
     * 6.0-6.7. A stop request and the command's exit end the wait at once
     * (BpfSession.wake).
     */
    static final int POLL_TIMEOUT_MS = 1000;
    /**
     * With --call-graph dwarf where the library events cannot attach (no
     * ld.so at the psABI path): a library a process maps (dlopen) gets its
     * unwind table only when the loop sees its first addresses, and with a
     * 1 s timeout 12% of a dlopen'ed library's samples in its first 3 s fell
     * back to frame pointers (DwarfUnwindTest).
     */
    static final int POLL_TIMEOUT_NO_LIBRARY_EVENTS_MS = 250;
    /** While a process whose libraries changed waits for its mappings to be read again (ProcessTracker.refreshLibraries). */
    static final int MAPPED_POLL_TIMEOUT_MS = 10;
    /**
     * 0: the BPF side wakes the consumer when a ring is a quarter full
     * (bpf/wakeup.h); otherwise the 1 s poll drains it.
     */
    static final long WAKEUP_BYTES = 0;
    static final Path PROC = Path.of("/proc");

    private final RecordingOptions opts;
    private final PrintStream err;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    /** Batch tables with a column Java fills in (symbols, handler names): written by Java; the others by the shim. */
    private static final Set<CaptureTable> FILLED_IN_JAVA =
        EnumSet.of(CaptureTable.LOCK_CONTENTION, CaptureTable.FUTEX_WAIT, CaptureTable.IRQ);
    private final Set<CaptureTable> writtenByShim = EnumSet.noneOf(CaptureTable.class);
    /** The session whose poll a stop request ends early, while it is open (guarded by itself). */
    private final BpfSession[] wakeable = new BpfSession[1];

    private LockSymbols lockSymbols;
    private FutexSymbols futexSymbols;
    private IrqHandlers irqHandlers;
    private UnwindLoader unwindLoader;
    private long droppedByRecorder;
    private volatile String stopReason = "done";
    private Integer commandExit;

    public Recording(RecordingOptions opts, PrintStream err) {
        this.opts = opts;
        this.err = err;
    }

    /** Asks a running recording to stop; it finishes writing before run() returns. */
    public void requestStop(String reason) {
        stopReason = reason;
        stopRequested.set(true);
        wakePoll();
    }

    /** Ends the poll loop's wait, if a session is open. */
    private void wakePoll() {
        synchronized (wakeable) {
            if (wakeable[0] != null) wakeable[0].wake();
        }
    }

    /** A resource of the session's try: the session can be woken until this closes, which is before the session does. */
    private interface WakeRegistration extends AutoCloseable {
        @Override
        void close();
    }

    private WakeRegistration wakeOn(BpfSession bpf) {
        synchronized (wakeable) {
            wakeable[0] = bpf;
        }
        return () -> {
            synchronized (wakeable) {
                wakeable[0] = null;
            }
        };
    }

    public Integer commandExitCode() { return commandExit; }

    /** Runs the recording; returns a summary line. */
    public String run() throws RecorderException {
        checkPrivileges();
        if (opts.frequencyHz() < 1 || opts.frequencyHz() > 100_000)
            throw new RecorderException("-F must be between 1 and 100000 Hz", 2);
        for (int pid : opts.pids())
            if (!Files.isDirectory(PROC.resolve(Integer.toString(pid))))
                throw new RecorderException("no process with PID " + pid, 2);

        CaptureWriter out;
        try {
            out = CaptureWriter.create(opts.output(), opts.force());
        } catch (CaptureException e) {
            throw new RecorderException(e.getMessage(), 2);
        } catch (IOException e) {
            throw new RecorderException("cannot create " + opts.output() + ": " + e.getMessage(), 1);
        }

        int ncpus = Runtime.getRuntime().availableProcessors();
        long sampleRingBytes = Math.max(4L << 20, (long) ncpus * (512 << 10));
        // The shim drains the rings on a thread of its own (native/drain.c),
        // so a ring holds only what comes while that thread is not
        // scheduled, not everything during Java's slowest batch (up to
        // ~250 ms in a build). A context-switch storm (a pipe ping-pong:
        // ~1M switches/s, 72 bytes each, plus two wakeups) writes ~15 MB in
        // 100 ms; the BPF side wakes the drain at every quarter of the ring.
        // Measured with the drain thread: two unpinned ping-pongs (350k
        // switches/s), 0 lost down to a 4 MB event ring; a futex storm
        // (160k waits/s, 30-frame stacks), 0 lost down to a 1 MB futex ring.
        // Each ring counts twice in the recorder's RSS (its pages are mapped
        // twice, for the wrap-around): 106 MB with the 32 MB event ring it
        // needed before the drain thread, 33 MB now.
        long eventRingBytes = Math.max(8L << 20, (long) ncpus * (1 << 20));
        boolean filter = opts.target() != RecordingOptions.Target.SYSTEM;
        GatedCommand command = null;
        Manifest manifest = new Manifest();
        String summary;
        BpfSession.Config config = new BpfSession.Config((int) ProcessHandle.current().pid(), filter, sampleRingBytes,
            eventRingBytes, WAKEUP_BYTES, opts.sources(),
            opts.callGraph() == RecordingOptions.CallGraph.DWARF ? UnwindSetup.ROWS : 0, opts.verbose());
        try (BpfSession bpf = BpfSession.open(config); WakeRegistration wake = wakeOn(bpf);
             JitNamer jitNamer = new JitNamer(PROC)) {
            // Read after loading our programs: their JIT code is then in
            // kallsyms, so the tracing frames that lead event stacks can be
            // recognized and trimmed (StackInterner).
            KernelSymbols kernel;
            try {
                kernel = KernelSymbols.load(PROC.resolve("kallsyms"));
            } catch (IOException e) {
                abandon(out, manifest);
                throw new RecorderException("cannot read /proc/kallsyms: " + e.getMessage(), 1);
            }
            Symbolizer symbolizer = new Symbolizer(kernel, kernelBuildId(), new ElfCache(Path.of("/usr/lib/debug/.build-id")), PROC);
            // tables of what runs now are loaded before the first sample; later ones as processes appear
            if (opts.callGraph() == RecordingOptions.CallGraph.DWARF)
                unwindLoader = UnwindSetup.start(bpf, symbolizer, opts, PROC, err);
            for (int pid : opts.pids()) bpf.addTargetProcess(pid);
            if (!opts.command().isEmpty()) {
                command = GatedCommand.start(opts.command());
                command.process().onExit().thenRun(this::wakePoll); // its exit ends the recording now, not at the next poll
                jitNamer.command((int) command.pid());
                if (filter) bpf.addTargetProcess((int) command.pid());
            }
            BpfSession.EventSource source = bpf.attachSampler(opts.frequencyHz(), true);
            bpf.attachSources();
            List<String> sourcesOn = new ArrayList<>();
            for (String name : opts.sources())
                if (bpf.sourceOn(name)) sourcesOn.add(name);
            int pollTimeoutMs = opts.callGraph() == RecordingOptions.CallGraph.DWARF && !sourcesOn.contains("libraries")
                ? POLL_TIMEOUT_NO_LIBRARY_EVENTS_MS : POLL_TIMEOUT_MS;
            seedDictionaries(out);
            long periodNs = 1_000_000_000L / opts.frequencyHz();
            fillManifest(manifest, source, periodNs, ncpus, sourcesOn);
            out.writeManifest(manifest);

            BatchLayout layout = BpfSession.layout();
            handOverTables(layout, out, bpf);
            StackInterner stacks = new StackInterner(symbolizer, out);
            ProcessTracker tracker = new ProcessTracker(PROC, out, symbolizer, stacks);
            int self = (int) ProcessHandle.current().pid();
            if (unwindLoader != null) tracker.unwindWith(unwindLoader, filter ? bpf::isTarget : pid -> pid != self);
            lockSymbols = new LockSymbols(kernel, out.table(CaptureTable.LOCK_CONTENTION));
            futexSymbols = new FutexSymbols(symbolizer, tracker, out.table(CaptureTable.FUTEX_WAIT));
            irqHandlers = new IrqHandlers(kernel, out.table(CaptureTable.IRQ));
            err.println("profiler-rec: recording " + targetDescription() + " (" + source.manifestName + " "
                + opts.frequencyHz() + " Hz" + (opts.sched() ? ", scheduler events, interrupts" : "")
                + (opts.sched() && opts.offcpuStacks() ? " with off-CPU stacks" : "")
                + (opts.locks() ? ", lock contention" : "") + (opts.futex() ? ", futex waits" : "") + "); Ctrl-C stops");
            err.flush();
            if (command != null) command.open();

            StatusLine status = new StatusLine(err, System.console() != null);
            long deadline = opts.durationSeconds() == null ? Long.MAX_VALUE
                : System.nanoTime() + opts.durationSeconds() * 1_000_000_000L;
            boolean mappingsDue = false;
            while (!stopRequested.get()) {
                // no later than Java's next flush (the stacks and frames
                // tables); the shim's tables it writes on time itself
                long flushDueMs = out.millisUntilFlushDue();
                int timeoutMs = (int) Math.min(mappingsDue ? MAPPED_POLL_TIMEOUT_MS : pollTimeoutMs, flushDueMs);
                if (deadline != Long.MAX_VALUE) // -d ends on time, not up to a poll timeout late
                    timeoutMs = (int) Math.max(0, Math.min(timeoutMs, (deadline - System.nanoTime()) / 1_000_000 + 1));
                // returns only with something new for Java, or after the timeout
                EventBatch batch = bpf.run(timeoutMs, CaptureWriter.FLUSH_INTERVAL_NANOS, periodNs);
                if (batch != null) {
                    consume(batch, layout, tracker, stacks, out, periodNs);
                    bpf.writeTables(CaptureWriter.FLUSH_INTERVAL_NANOS); // queues this batch's rows of the shim's tables
                    tracker.resolveUnmapped(stacks.unmappedAddedByPid(), false);
                    jitNamer.due(stacks.unnamedJitByPid());
                }
                jitNamer.watchCommand();
                mappingsDue = tracker.refreshLibraries();
                out.flushDue();
                if (status.due())
                    status.update(statusCounts(bpf), lostSoFar(bpf), out.bytesOnDisk());
                if (System.nanoTime() >= deadline) requestStop("duration reached");
                if (command != null && !command.process().isAlive()) {
                    commandExit = command.process().exitValue();
                    requestStop("command exited with " + commandExit);
                }
                if (opts.target() == RecordingOptions.Target.PIDS && !anyAlive(opts.pids()))
                    requestStop("target processes exited");
            }
            status.end();

            // Stop cleanly: detach every event source, then drain until empty.
            // The capture ends before the detach, while every source is still
            // attached. Ended after the work below (a last perf map from each
            // JVM, symbolizing, writing), the capture ran ~440 ms past its
            // last switch in a build's recording, and the threads still
            // waiting then showed as 440 ms runqueue stalls behind the
            // recorder's own thread, which the capture leaves out.
            manifest.endNs = BpfSession.monotonicNanos();
            bpf.detach();
            EventBatch batch;
            while ((batch = bpf.poll(0)) != null) {
                consume(batch, layout, tracker, stacks, out, periodNs);
                bpf.writeTables(CaptureWriter.FLUSH_INTERVAL_NANOS);
            }
            droppedByRecorder = bpf.undecodableRecords();
            for (BpfRecords.ThreadSeen t : bpf.allThreads())
                tracker.threadAtStop(t.pid(), t.tid(), t.comm(), t.lastTs());
            tracker.resolveUnmapped(stacks.unmappedAddedByPid(), true);
            jitNamer.finish(stacks.pidsWithUnnamedJit(), err); // running JVMs: a last perf map each
            stacks.finish();
            tracker.writeProcesses(filter ? bpf::isTarget : null);
            tracker.writeThreads();
            out.flushAll();
            bpf.closeTables();
            for (CaptureTable t : writtenByShim) out.table(t).addRowsWrittenElsewhere(bpf.tableRowsWritten(t));

            long[][] counters = bpf.counters();
            if (unwindLoader != null) manifest.sampling.unwinding = UnwindSetup.manifest(unwindLoader.stats(), counters);
            fillCounters(manifest.counters, counters, sourcesOn);
            if (opts.locks()) // a begin still waiting at the stop will not end in the capture either
                manifest.counters.unpaired.merge("lock_contention_begin", bpf.lockWaitsOpen(), Long::sum);
            manifest.counters.droppedByRecorder = droppedByRecorder;
            manifest.counters.recorderCpuNs = ProcessHandle.current().info().totalCpuDuration()
                .map(d -> d.toNanos()).orElse(0L);
            out.close();
            manifest.counters.captureBytes = out.bytesOnDisk();
            manifest.rows = out.rowCounts();
            manifest.complete = true;
            out.writeManifest(manifest);
            summary = summarize(manifest, stacks, Counts.of(bpf));
        } catch (BpfException e) {
            abandon(out, manifest);
            throw new RecorderException(e.getMessage(), isPermission(e.getMessage()) ? 2 : 1);
        } catch (IOException e) {
            abandon(out, manifest);
            throw new RecorderException("writing " + opts.output() + " failed: " + e.getMessage()
                + " (batches written before this are kept)", 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(out, manifest);
            throw new RecorderException("interrupted", 1);
        } finally {
            if (command != null) command.cleanup();
        }
        SudoOwner.giveBack(opts.output());
        return summary;
    }

    /**
     * Hands the files of the batch tables whose rows Java does not fill
     * (samples, scheduler events) over to the shim, which writes their
     * batches (native/ipc_writer.c): per second of recording, Java then runs
     * no code for them, and the JVM neither interprets nor keeps compiling
     * the code that wrote them (docs/design.md, "Where the recorder's
     * steady CPU goes"). After seedDictionaries: their dictionaries are sent
     * now, whole.
     */
    private void handOverTables(BatchLayout layout, CaptureWriter out, BpfSession bpf) throws IOException {
        for (BatchLayout.Table t : layout.tables()) {
            if (FILLED_IN_JAVA.contains(t.capture())) continue;
            List<Column> columns = t.capture().columns();
            boolean[] nullable = new boolean[columns.size()];
            for (int c = 0; c < nullable.length; c++) nullable[c] = columns.get(c).nullable();
            bpf.writeTableTo(t.capture(), out.handOver(t.capture()), nullable, CaptureWriter.DEFAULT_BATCH_ROWS);
            writtenByShim.add(t.capture());
        }
        // the tables Java fills: their batches serialized by the shim too (ShimBatchSink)
        for (CaptureTable t : CaptureTable.values())
            if (!writtenByShim.contains(t)) out.writeBatchesThrough(t, ShimBatchSink::open);
    }

    /**
     * The dictionary columns whose values the shim writes as indexes:
     * their values, in index order (bpf/profiler.h).
     */
    static void seedDictionaries(CaptureWriter out) {
        out.table(CaptureTable.SCHED_SWITCH).seedDictionary("prev_state", BpfRecords.TASK_STATES);
        out.table(CaptureTable.SCHED_SWITCH).seedDictionary("prev_syscall", SyscallNames.x86_64());
        out.table(CaptureTable.SCHED_WAKEUP).seedDictionary("kind", BpfRecords.WAKE_KINDS);
        out.table(CaptureTable.SCHED_WAKEUP).seedDictionary("waker_context", BpfRecords.WAKER_CONTEXTS);
        out.table(CaptureTable.IRQ).seedDictionary("kind", BpfRecords.IRQ_KINDS);
        out.table(CaptureTable.SAMPLES).seedDictionary("unwind", BpfRecords.UNWIND_OUTCOMES);
    }

    private String targetDescription() {
        return switch (opts.target()) {
            case SYSTEM -> opts.command().isEmpty() ? "the whole machine" : "the whole machine while " + opts.command().get(0) + " runs";
            case PIDS -> "pid " + opts.pids().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("")
                + " and the processes they start";
            case COMMAND -> opts.command().get(0) + " and the processes it starts";
        };
    }

    private void checkPrivileges() throws RecorderException {
        try {
            List<String> missing = Capabilities.missingForRecording(PROC.resolve("self/status"));
            if (!missing.isEmpty())
                throw new RecorderException("recording needs CAP_BPF and CAP_PERFMON (or root); missing "
                    + String.join(", ", missing) + ": run it as root or with sudo", 2);
        } catch (IOException e) {
            // no /proc/self/status: let the BPF load say what is wrong
        }
    }

    private static boolean isPermission(String msg) {
        return msg.contains("CAP_") || msg.contains("refused");
    }

    /**
     * Writes one batch: describes the threads and symbolizes the stacks that
     * are new in it (work per new thread and stack, none per event), then
     * copies the columns the shim filled.
     */
    private void consume(EventBatch batch, BatchLayout layout, ProcessTracker tracker, StackInterner stacks,
                         CaptureWriter out, long weight) throws IOException, BpfException {
        for (BpfRecords.ProcEvent e : batch.procEvents()) tracker.lifecycle(e);
        for (BpfRecords.ThreadSeen t : batch.threads())
            tracker.sawThread(t.pid(), t.tid(), t.comm(), t.firstTs(), t.lastTs());
        BpfRecords.StackDef[] defs = batch.newStacks();
        long[] ids = new long[defs.length];
        for (int i = 0; i < defs.length; i++) {
            BpfRecords.StackDef d = defs[i];
            ProcessMaps maps = d.userIps().length == 0 ? null : tracker.mapsFor(d.pid(), d.userIps());
            ids[i] = stacks.stackId(d.pid(), maps, d.kernelIps(), d.userIps(), d.event());
        }
        batch.commit(ids, weight);
        irqHandlers.addNames(batch.newNames());
        for (BatchLayout.Table t : layout.tables()) {
            if (batch.rows(t.capture()) == 0 || writtenByShim.contains(t.capture())) continue;
            BatchColumns cols = batch.columns(t.capture());
            switch (t.capture()) {
                case LOCK_CONTENTION -> lockSymbols.fill(cols);
                case FUTEX_WAIT -> futexSymbols.fill(cols);
                case IRQ -> irqHandlers.fill(cols);
                default -> { }
            }
            out.table(t.capture()).appendColumns(cols.rows(), cols.captureColumns());
        }
    }

    /**
     * Whether any of the pids still runs. A plain loop, not a stream: this
     * runs 10 times a second, mostly in the interpreter, where a stream
     * pipeline was about a fifth of the recorder's CPU while it recorded an
     * idle process.
     */
    private static boolean anyAlive(List<Integer> pids) {
        for (int pid : pids)
            if (Files.isDirectory(PROC.resolve(Integer.toString(pid)))) return true;
        return false;
    }

    /** Rows so far per recorded source, counted by the shim (it writes most batches without Java). */
    private record Counts(long samples, long sched, long irq, long locks, long futex) {
        static Counts of(BpfSession bpf) {
            return new Counts(bpf.rowsTaken(CaptureTable.SAMPLES),
                bpf.rowsTaken(CaptureTable.SCHED_SWITCH) + bpf.rowsTaken(CaptureTable.SCHED_WAKEUP),
                bpf.rowsTaken(CaptureTable.IRQ), bpf.rowsTaken(CaptureTable.LOCK_CONTENTION),
                bpf.rowsTaken(CaptureTable.FUTEX_WAIT));
        }
    }

    /** Events so far per recorded source, for the status line. */
    private Map<String, Long> statusCounts(BpfSession bpf) {
        Counts c = Counts.of(bpf);
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("samples", c.samples());
        if (opts.sched()) {
            m.put("sched", c.sched());
            m.put("irq", c.irq());
        }
        if (opts.locks()) m.put("locks", c.locks());
        if (opts.futex()) m.put("futex", c.futex());
        return m;
    }

    private static long lostSoFar(BpfSession bpf) throws BpfException {
        long[][] counters = bpf.counters();
        long n = 0;
        for (ShimSources.Counter c : ShimSources.counters())
            if (c.kind().equals("lost")) n += sum(counters, c.index());
        return n;
    }

    /** The counters of the recorded sources, as the shim describes each one (ShimSources.Counter). */
    static void fillCounters(Manifest.Counters m, long[][] counters, List<String> sources) throws BpfException {
        for (ShimSources.Counter c : ShimSources.counters()) {
            if (!sources.contains(c.source())) continue;
            switch (c.kind()) {
                case "emitted" -> m.emittedPerCpu.put(c.stream(), perCpu(counters, c.index()));
                case "lost" -> m.lostPerCpu.put(c.stream(), perCpu(counters, c.index()));
                case "unpaired" -> m.unpaired.put(c.stream(), sum(counters, c.index()));
                default -> { } // "unwind": UnwindSetup.manifest
            }
        }
    }

    private static long sum(long[][] counters, int which) {
        long n = 0;
        for (long[] c : counters) n += c[which];
        return n;
    }

    private static List<Long> perCpu(long[][] counters, int which) {
        List<Long> l = new ArrayList<>();
        for (long[] c : counters) l.add(c[which]);
        return l;
    }

    private void fillManifest(Manifest m, BpfSession.EventSource source, long periodNs, int ncpus, List<String> sources)
            throws BpfException {
        m.recorder = "profiler-rec " + Version.VERSION;
        m.complete = false;
        m.host = hostName();
        m.kernelRelease = readFirstLine(PROC.resolve("sys/kernel/osrelease"));
        m.arch = System.getProperty("os.arch");
        m.cpuCount = ncpus;
        long mono = BpfSession.monotonicNanos();
        m.wallClockOffsetNs = BpfSession.realtimeNanos() - mono;
        m.startNs = mono;
        m.sampling.eventSource = source.manifestName;
        m.sampling.frequencyHz = opts.frequencyHz();
        m.sampling.periodNs = source == BpfSession.EventSource.SW_CPU_CLOCK ? periodNs : null;
        m.sampling.maxFrames = BpfRecords.MAX_FRAMES;
        m.sampling.callGraph = opts.callGraph().name().toLowerCase();
        m.options.target = opts.target().name().toLowerCase();
        m.options.pids = opts.pids();
        m.options.command = opts.command().isEmpty() ? null : opts.command();
        m.options.durationSeconds = opts.durationSeconds();
        m.options.arguments = opts.arguments();
        m.options.sources = sources;
        m.options.transport = "BPF ring buffers: the perf_event sampler's own (no other program writes it), and with"
            + " the other sources one each for scheduler events, NMIs, lock contention, futex waits and library changes";
        m.options.excluded = List.of("the recorder's own process (pid " + ProcessHandle.current().pid() + ")");
        m.options.recorderPid = (int) ProcessHandle.current().pid();
    }

    private void abandon(CaptureWriter out, Manifest manifest) {
        // Keep every batch already written: close the tables, leave complete=false.
        try {
            out.close();
            manifest.endNs = BpfSession.monotonicNanos();
            out.writeManifest(manifest);
        } catch (IOException | BpfException | RuntimeException ignored) {
            // the original error is the one to report
        }
    }

    private String summarize(Manifest m, StackInterner stacks, Counts c) {
        double secs = (m.endNs - m.startNs) / 1e9;
        long bytes = m.counters.captureBytes;
        return String.format("wrote %s: %,d samples%s%s%s in %.1f s (%s, %d Hz), %,d stacks, %,d frames, %s%s, %s%s",
            opts.output(), c.samples(),
            opts.sched() ? String.format(", %,d scheduler events, %,d interrupts", c.sched(), c.irq()) : "",
            opts.locks() ? String.format(", %,d lock waits", c.locks()) : "",
            opts.futex() ? String.format(", %,d futex waits", c.futex()) : "",
            secs, m.sampling.eventSource, m.sampling.frequencyHz, stacks.stackCount(),
            stacks.frameCount(), Bytes.human(bytes),
            c.samples() > 0 ? String.format(" (%.1f B/sample)", (double) bytes / c.samples()) : "", lostSummary(m),
            droppedByRecorder > 0 ? String.format(", %,d records undecodable", droppedByRecorder) : "");
    }

    /** "lost 0", or what each source lost. */
    static String lostSummary(Manifest m) {
        if (m.counters.totalLost() == 0) return "lost 0";
        StringBuilder b = new StringBuilder("LOST");
        m.counters.lostPerCpu.forEach((source, perCpu) -> {
            long n = perCpu.stream().mapToLong(Long::longValue).sum();
            if (n > 0) b.append(String.format(" %s %,d", source, n));
        });
        return b.toString();
    }

    private static String kernelBuildId() {
        try {
            return ElfFile.buildIdFromNotes(Files.readAllBytes(Path.of("/sys/kernel/notes")));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The kernel's host name (uname's nodename), as hostname(1) prints it.
     * Not InetAddress.getLocalHost(): it resolves the name, which waits on
     * DNS where the resolver is broken (seconds), and cost ~15 ms of start-up
     * CPU where it is not.
     */
    private static String hostName() {
        return readFirstLine(PROC.resolve("sys/kernel/hostname"));
    }

    private static String readFirstLine(Path p) {
        try {
            return Files.readAllLines(p).get(0).strip();
        } catch (IOException | IndexOutOfBoundsException e) {
            return null;
        }
    }
}
