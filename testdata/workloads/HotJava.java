/**
 * A JVM that spends its time in one JIT-compiled method, spin: prints
 * "ready PID", spins for SECONDS, prints "done".
 *
 * usage: java -XX:+PreserveFramePointer HotJava SECONDS
 */
public class HotJava {
    static long spin(long n) { long s = 0; for (long i = 0; i < n; i++) s += i * 31 ^ (s >>> 3); return s; }
    public static void main(String[] a) throws Exception {
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        long end = System.nanoTime() + Long.parseLong(a[0]) * 1_000_000_000L, sink = 0;
        while (System.nanoTime() < end) sink += spin(1_000_000);
        System.out.println("done " + sink);
    }
}
