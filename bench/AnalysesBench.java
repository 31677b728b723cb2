import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.SqlLibrary;
import dev.profiler.analyzer.reports.ReportSettings;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import dev.profiler.formats.TableWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;

/**
 * The stalls and locks reports on a big synthetic capture (bench/analyses
 * drives it).
 *
 *   write CAPTURE SAMPLES SWITCHES  writes the capture: 4 CPUs, 16 threads
 *       each, ~1 ms slices (a switch per slice: 70% blocking, woken later
 *       by another thread; 30% preempted), a 1 kHz sample per CPU, a few
 *       250 ms freezes and long runqueue waits, 100k futex and 100k kernel
 *       lock waits, 1M interrupts.
 *   run CAPTURE  opens it and runs the stalls and locks reports; prints
 *       seconds for each and the process's peak RSS.
 */
public class AnalysesBench {
    static final int CPUS = 4, THREADS_PER_CPU = 16, PID = 1000;
    static final long PERIOD = 1_000_000L;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("write")) write(Path.of(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
        else run(Path.of(args[1]));
    }

    static void write(Path cap, long samples, long switches) throws Exception {
        Random rnd = new Random(42);
        try (CaptureWriter w = CaptureWriter.create(cap, true)) {
            TableWriter frames = w.table(CaptureTable.FRAMES), stacks = w.table(CaptureTable.STACKS);
            for (int f = 0; f < 2000; f++)
                frames.append((long) f, 0x400000L + f * 64, f < 1000 ? "/usr/bin/app" : "[kernel.kallsyms]", null,
                    f * 64L, f == 1999 ? "queued_spin_lock_slowpath" : "function_" + f, 0L, null, null, false,
                    f < 1000 ? "user" : "kernel");
            for (int s = 0; s < 5000; s++)
                stacks.append((long) s, new long[] {1000 + s % 1000, s % 1000, (s / 7) % 1000, (s / 49) % 1000},
                    (short) 1, false);
            TableWriter sw = w.table(CaptureTable.SCHED_SWITCH), wk = w.table(CaptureTable.SCHED_WAKEUP);
            TableWriter sm = w.table(CaptureTable.SAMPLES);
            long perCpuSwitches = switches / CPUS, perCpuSamples = samples / CPUS;
            long end = 0;
            for (int cpu = 0; cpu < CPUS; cpu++) {
                int base = PID + 1 + cpu * THREADS_PER_CPU;
                long ts = 1_000_000_000L;
                int current = base;
                boolean[] blocked = new boolean[THREADS_PER_CPU];
                long nextSample = ts + cpu * 250_000L;
                long samplesLeft = perCpuSamples;
                for (long i = 0; i < perCpuSwitches; i++) {
                    long slice = 200_000 + rnd.nextInt(1_600_000);
                    if (i % 500_000 == 250_000) slice = 150_000_000; // a long slice: someone waits in the runqueue
                    boolean frozen = i % 400_000 == 123_456;         // a 250 ms silence: no sample, no switch
                    if (frozen) slice = 260_000_000;
                    long sliceEnd = ts + slice;
                    while (nextSample < sliceEnd && samplesLeft > 0) {
                        if (!frozen || nextSample < ts + 5_000_000) {
                            sm.append(nextSample, cpu, PID, current, (long) rnd.nextInt(5000), PERIOD);
                            samplesLeft--;
                        }
                        nextSample += PERIOD;
                    }
                    int next = base + rnd.nextInt(THREADS_PER_CPU);
                    if (next == current) next = base + (next - base + 1) % THREADS_PER_CPU;
                    boolean blocks = rnd.nextInt(10) < 7;
                    if (blocked[next - base]) {
                        int waker = PID + 1 + rnd.nextInt(CPUS * THREADS_PER_CPU);
                        long at = sliceEnd - 1 - rnd.nextInt(100_000);
                        wk.append(at, (cpu + 1) % CPUS, next, waker, cpu, "waking", null);
                        wk.append(at + 1, cpu, next, waker, cpu, "wakeup", null);
                        blocked[next - base] = false;
                    }
                    sw.append(sliceEnd, cpu, current, blocks ? "S" : "R", next, null);
                    blocked[current - base] = blocks;
                    current = next;
                    ts = sliceEnd;
                }
                end = Math.max(end, ts);
            }
            TableWriter fx = w.table(CaptureTable.FUTEX_WAIT), lk = w.table(CaptureTable.LOCK_CONTENTION);
            for (int i = 0; i < 100_000; i++) {
                long b = 1_000_000_000L + (long) (rnd.nextDouble() * (end - 1_000_000_000L - 1_000_000_000L));
                int tid = PID + 1 + rnd.nextInt(CPUS * THREADS_PER_CPU);
                fx.append(b, b + rnd.nextInt(5_000_000), PID, tid, 0x5000L + 64 * rnd.nextInt(50), 128,
                    (long) rnd.nextInt(5000));
                lk.append(b, b + rnd.nextInt(50_000), rnd.nextInt(CPUS), tid, 0xffffffff82000000L + 64 * rnd.nextInt(200),
                    "lock_" + rnd.nextInt(200), 1, (long) rnd.nextInt(5000));
            }
            TableWriter irq = w.table(CaptureTable.IRQ);
            for (int i = 0; i < 1_000_000; i++) {
                long b = 1_000_000_000L + (long) (rnd.nextDouble() * (end - 1_000_000_000L - 1_000_000_000L));
                irq.append(b, b + 2_000 + rnd.nextInt(20_000), rnd.nextInt(CPUS), rnd.nextBoolean() ? "hardirq" : "softirq",
                    rnd.nextInt(40), "handler_" + rnd.nextInt(20), PID + 1 + rnd.nextInt(CPUS * THREADS_PER_CPU));
            }
            TableWriter th = w.table(CaptureTable.THREADS);
            for (int t = 1; t <= CPUS * THREADS_PER_CPU; t++) th.append(PID + t, PID, "worker-" + t, 1_000_000_000L, end);
            w.table(CaptureTable.PROCESSES).append(PID, 1, "app", "app", null, null, null);
            Manifest m = new Manifest();
            m.complete = true;
            m.cpuCount = CPUS;
            m.startNs = 1_000_000_000L;
            m.endNs = end;
            m.sampling.eventSource = "cpu-clock";
            m.sampling.frequencyHz = 1000;
            m.sampling.periodNs = PERIOD;
            w.writeManifest(m);
        }
    }

    static void run(Path cap) throws Exception {
        long a = System.nanoTime();
        try (CaptureDatabase db = CaptureDatabase.open(cap); Statement st = db.connection().createStatement()) {
            long b = System.nanoTime();
            ReportSettings.NONE.apply(db.connection(), db.manifest().startNs);
            long stalls = drain(st, SqlLibrary.report("stalls"));
            long c = System.nanoTime();
            long locks = drain(st, SqlLibrary.report("locks"));
            long d = System.nanoTime();
            long rows;
            try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM samples) + (SELECT count(*) FROM sched_switch)"
                    + " + (SELECT count(*) FROM sched_wakeup)")) {
                rs.next();
                rows = rs.getLong(1);
            }
            System.out.printf("events %d load_s %.2f stalls_s %.2f stalls_rows %d locks_s %.2f locks_rows %d peak_rss_mib %d%n",
                rows, (b - a) / 1e9, (c - b) / 1e9, stalls, (d - c) / 1e9, locks, peakRssKib() / 1024);
        }
    }

    static long drain(Statement st, String sql) throws Exception {
        long n = 0;
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) n++;
        }
        return n;
    }

    static long peakRssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        return -1;
    }
}
