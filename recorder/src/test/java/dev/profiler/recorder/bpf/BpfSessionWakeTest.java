package dev.profiler.recorder.bpf;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The recorder polls once a second; a stop request must not wait that out:
 * wake() from another thread ends a poll that would have waited 20 s, and
 * a wake that comes before the poll is not lost.
 */
class BpfSessionWakeTest {
    /** A session with no source attached (TestSessions: skipped only where BPF cannot be loaded). */
    private static BpfSession open() {
        return TestSessions.openOrSkip(new BpfSession.Config((int) ProcessHandle.current().pid(), true, 1 << 20, 1 << 20,
            0, java.util.List.of(), 0, false));
    }

    @Test
    void wakeEndsAPollWaitFromAnotherThread() throws Exception {
        try (BpfSession s = open()) {
            s.poll(0); // sets up the rings
            long start = System.nanoTime();
            CompletableFuture<Object> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.poll(20_000);
                } catch (BpfException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200);
            assertTrue(!poll.isDone(), "the poll waits while nothing comes");
            s.wake();
            assertNull(poll.get(10, TimeUnit.SECONDS), "woken, with nothing drained (no program attached)");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 10_000, "the 20 s wait ended early: " + ms + " ms");
        }
    }

    @Test
    void aWakeBeforeThePollEndsItsWait() throws Exception {
        try (BpfSession s = open()) {
            s.poll(0);
            s.wake();
            long start = System.nanoTime();
            assertNull(s.poll(20_000));
            assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000, "the wake was kept for the next poll");
            // and it was consumed: the next poll waits its timeout again
            start = System.nanoTime();
            s.poll(300);
            assertTrue((System.nanoTime() - start) / 1_000_000 >= 250, "a consumed wake does not end later waits");
        }
    }
}
