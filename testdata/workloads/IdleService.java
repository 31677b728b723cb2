import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A JVM service with nothing to do: a pool of four threads, and a timer
 * that hands the pool an empty task every 100 ms, so a pool thread parks on
 * a condition variable and is woken by another thread ten times a second.
 * Prints "ready PID", then exits after SECONDS.
 *
 * usage: java IdleService SECONDS
 */
public class IdleService {
    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4; i++) pool.submit(() -> { });
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        timer.scheduleAtFixedRate(() -> pool.submit(() -> { }), 0, 100, TimeUnit.MILLISECONDS);
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(Long.parseLong(args[0]) * 1000);
        System.exit(0);
    }
}
