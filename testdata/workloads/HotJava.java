/**
 * A JVM that spends its time in one JIT-compiled method, spin: prints
 * "ready PID", spins for SECONDS; given LAST_MS, then runs two more methods
 * for LAST_MS milliseconds each, nextSpin and lastSpin, so that new code is
 * compiled twice just before the JVM exits (a recorder that asks a JVM
 * for its perf map when new code shows up, at most once a second, misses
 * the second); prints "done".
 *
 * usage: java -XX:+PreserveFramePointer HotJava SECONDS [LAST_MS]
 */
public class HotJava {
    static long spin(long n) { long s = 0; for (long i = 0; i < n; i++) s += i * 31 ^ (s >>> 3); return s; }
    static long nextSpin(long n) { long s = 3; for (long i = 0; i < n; i++) s += i * 13 ^ (s >>> 7); return s; }
    static long lastSpin(long n) { long s = 7; for (long i = 0; i < n; i++) s += i * 17 ^ (s >>> 5); return s; }
    public static void main(String[] a) throws Exception {
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        long end = System.nanoTime() + Long.parseLong(a[0]) * 1_000_000_000L, sink = 0;
        while (System.nanoTime() < end) sink += spin(1_000_000);
        long lastNanos = (a.length > 1 ? Long.parseLong(a[1]) : 0) * 1_000_000L;
        end = System.nanoTime() + lastNanos;
        while (System.nanoTime() < end) sink += nextSpin(100_000);
        end = System.nanoTime() + lastNanos;
        while (System.nanoTime() < end) sink += lastSpin(100_000);
        System.out.println("done " + sink);
    }
}
