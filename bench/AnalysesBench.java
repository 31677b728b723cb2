import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.SqlLibrary;
import dev.profiler.analyzer.reports.ReportSettings;
import dev.profiler.formats.CaptureTable;
import dev.profiler.formats.CaptureWriter;
import dev.profiler.formats.Manifest;
import dev.profiler.formats.TableWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The stalls and locks reports on a big synthetic capture (bench/analyses
 * drives it).
 *
 *   write CAPTURE SAMPLES SWITCHES  writes the capture: 4 CPUs, 8 threads
 *       each, scheduled as a real run queue would: a thread runs a 0.2-1.8
 *       ms slice, then blocks (70%: mostly for 0.05-20 ms, 1% of sleeps
 *       50-300 ms) and is woken by a thread of another CPU (15% by a timer
 *       interrupt instead), or is preempted (30%) to the back of the queue;
 *       a CPU with nothing runnable goes idle until the next wakeup. A 1
 *       kHz sample per busy CPU (asked for more samples than switches,
 *       slices get longer in proportion). Injected: a 150 ms slice every 500k
 *       switches per CPU (the queue behind it waits: runqueue stalls), a
 *       260 ms silence (no sample, no switch: a freeze) every 400k, 100k
 *       futex and 100k kernel lock waits, 1M interrupts.
 *   build CAPTURE  opens it once with no analysis cache beside it (builds
 *       the cache); prints seconds and peak RSS.
 *   run CAPTURE  opens it (through the cache) and runs the stalls and
 *       locks reports; prints seconds for each and the process's peak RSS.
 */
public class AnalysesBench {
    static final int CPUS = 4, THREADS_PER_CPU = 8, PID = 1000;
    static final long PERIOD = 1_000_000L;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "write" -> write(Path.of(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
            case "build" -> build(Path.of(args[1]));
            default -> run(Path.of(args[1]));
        }
    }

    /** One CPU's run queue and sleepers, writing its switches, wakeups and samples. */
    static final class Cpu {
        final int cpu, base;
        final Random rnd;
        final PriorityQueue<long[]> runnable = new PriorityQueue<>(Comparator.comparingLong(e -> e[0])); // {since, tid}
        final PriorityQueue<long[]> sleeping = new PriorityQueue<>(Comparator.comparingLong(e -> e[0])); // {wake at, tid}
        long ts = 1_000_000_000L, nextSample, samplesLeft;
        int current;

        /** Slices are this many times longer when more samples than switches are asked for. */
        final long sliceScale;

        Cpu(int cpu, Random rnd, long samples, long switches) {
            sliceScale = Math.max(1, samples / Math.max(1, switches));
            this.cpu = cpu;
            this.rnd = rnd;
            base = PID + 1 + cpu * THREADS_PER_CPU;
            current = base;
            for (int t = 1; t < THREADS_PER_CPU; t++) runnable.add(new long[] {ts, base + t});
            nextSample = ts + cpu * 250_000L;
            samplesLeft = samples;
        }

        long sleepNs() {
            int r = rnd.nextInt(100);
            if (r == 0) return 50_000_000 + rnd.nextInt(250_000_000);
            if (r < 60) return 50_000 + rnd.nextInt(1_950_000);
            return 2_000_000 + rnd.nextInt(18_000_000);
        }

        /** Wakes every sleeper due by `until`, with its waking and wakeup rows. */
        void wake(long until, TableWriter wk) throws IOException {
            while (!sleeping.isEmpty() && sleeping.peek()[0] <= until) {
                long[] s = sleeping.poll();
                boolean byTimer = rnd.nextInt(100) < 15;
                int waker = byTimer ? 0 : PID + 1 + ((cpu + 1 + rnd.nextInt(CPUS - 1)) % CPUS) * THREADS_PER_CPU
                    + rnd.nextInt(THREADS_PER_CPU);
                int wakerCpu = byTimer ? cpu : (waker - PID - 1) / THREADS_PER_CPU;
                String context = byTimer ? "local_timer" : null;
                wk.append(s[0], wakerCpu, (int) s[1], waker, cpu, "waking", context);
                wk.append(s[0] + 1, wakerCpu, (int) s[1], waker, cpu, "wakeup", context);
                runnable.add(new long[] {s[0], s[1]});
            }
        }

        void samples(long until, boolean frozenAfter5ms, long sliceStart, TableWriter sm) throws IOException {
            while (nextSample < until && samplesLeft > 0) {
                if (!frozenAfter5ms || nextSample < sliceStart + 5_000_000) {
                    sm.append(nextSample, cpu, PID, current, (long) rnd.nextInt(5000), PERIOD);
                    samplesLeft--;
                }
                nextSample += PERIOD;
            }
        }

        /** One switch: the current thread's slice, then it blocks or is preempted, and the next one runs. */
        void step(long i, TableWriter sw, TableWriter wk, TableWriter sm) throws IOException {
            if (current == 0) {                               // idle: until the next wakeup
                long[] first = sleeping.peek();
                long at = Math.max(ts, first[0]);
                wake(at, wk);
                nextSample = Math.max(nextSample, at);
                long[] next = runnable.poll();
                ts = at + 5_000;
                sw.append(ts, cpu, 0, "R", (int) next[1], null, null, null, false);
                current = (int) next[1];
                return;
            }
            long slice = (200_000 + rnd.nextInt(1_600_000)) * sliceScale;
            if (i % 500_000 == 250_000) slice = 150_000_000;  // a hog: the queue behind it waits
            boolean frozen = i % 400_000 == 123_456;           // a 250 ms silence: no sample, no switch
            if (frozen) slice = 260_000_000;
            long sliceEnd = ts + slice;
            samples(sliceEnd, frozen, ts, sm);
            wake(sliceEnd, wk);
            boolean blocks = rnd.nextInt(10) < 7;
            if (blocks) sleeping.add(new long[] {sliceEnd + sleepNs(), current});
            else runnable.add(new long[] {sliceEnd, current});
            long[] next = runnable.poll();
            int nextTid = next == null ? 0 : (int) next[1];
            sw.append(sliceEnd, cpu, current, blocks ? "S" : "R", nextTid, null, blocks ? "futex" : null,
                blocks ? 128 : null, false);
            current = nextTid;
            ts = sliceEnd;
        }
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
            long end = 0;
            for (int c = 0; c < CPUS; c++) {
                Cpu cpu = new Cpu(c, rnd, samples / CPUS, switches / CPUS);
                for (long i = 0; i < switches / CPUS; i++) cpu.step(i, sw, wk, sm);
                end = Math.max(end, cpu.ts);
            }
            TableWriter fx = w.table(CaptureTable.FUTEX_WAIT), lk = w.table(CaptureTable.LOCK_CONTENTION);
            for (int i = 0; i < 100_000; i++) {
                long b = 1_000_000_000L + (long) (rnd.nextDouble() * (end - 1_000_000_000L - 1_000_000_000L));
                int tid = PID + 1 + rnd.nextInt(CPUS * THREADS_PER_CPU);
                fx.append(b, b + rnd.nextInt(5_000_000), PID, tid, 0x5000L + 64 * rnd.nextInt(50), null, 128,
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

    static void build(Path cap) throws Exception {
        Files.deleteIfExists(Path.of(cap + ".duckdb"));
        long a = System.nanoTime();
        try (CaptureDatabase db = CaptureDatabase.open(cap)) {
            System.out.printf("build_s %.2f cache_mib %d built %s peak_rss_mib %d%n", (System.nanoTime() - a) / 1e9,
                Files.size(db.cacheFile()) >> 20, db.cacheState() == CaptureDatabase.CacheState.BUILT ? 1 : 0,
                peakRssKib() / 1024);
        }
    }

    static void run(Path cap) throws Exception {
        long a = System.nanoTime();
        try (CaptureDatabase db = CaptureDatabase.open(cap); Statement st = db.connection().createStatement()) {
            long b = System.nanoTime();
            if (db.cacheState() != CaptureDatabase.CacheState.REUSED) throw new IllegalStateException("no analysis cache reused");
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
