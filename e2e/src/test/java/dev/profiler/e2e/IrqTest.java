package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupts, recorded by default: loopback TCP traffic during a
 * whole-machine recording makes NET_RX softirqs, and every interrupt row is
 * a plausible interval with its handler named.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IrqTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int SECONDS = 3;
    @TempDir static Path tmp;
    Path capture;

    @BeforeAll
    void record() throws Exception {
        Tools.requireBpf();
        capture = tmp.resolve("irq.cap");
        Thread traffic = new Thread(IrqTest::loopbackTraffic);
        traffic.setDaemon(true);
        traffic.start();
        Tools.Result r = Tools.tool("profiler-rec", "-a", "-d", Integer.toString(SECONDS), "-o", capture.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("interrupts"), r.toString());
    }

    /** Sends over loopback TCP for the length of the recording. */
    static void loopbackTraffic() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread sink = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[65536];
                    while (in.read(buf) >= 0) { /* drain */ }
                } catch (Exception ignored) {
                    // the test ends
                }
            });
            sink.setDaemon(true);
            sink.start();
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 OutputStream out = c.getOutputStream()) {
                byte[] chunk = new byte[16384];
                long end = System.nanoTime() + (SECONDS + 2) * 1_000_000_000L;
                while (System.nanoTime() < end) {
                    out.write(chunk);
                    Thread.sleep(1);
                }
            }
        } catch (Exception ignored) {
            // the assertions say what was missing
        }
    }

    long scalar(String sql) throws Exception {
        return Tools.scalar(capture, sql);
    }

    @Test
    void loopbackTrafficMakesNetRxSoftirqs() throws Exception {
        long netRx = scalar("SELECT count(*) FROM irq WHERE kind = 'softirq' AND handler = 'NET_RX' AND number = 3");
        assertTrue(netRx >= 100, "NET_RX softirqs: " + netRx);
    }

    @Test
    void interruptsArePlausibleIntervalsWithNamedHandlers() throws Exception {
        assertEquals(0, scalar("SELECT count(*) FROM irq WHERE ts_end < ts_begin"));
        assertEquals(0, scalar("SELECT count(*) FROM irq WHERE kind IN ('softirq', 'hardirq') AND handler IS NULL"));
        JsonNode m = JSON.readTree(Files.readString(capture.resolve("manifest.json")));
        long recordingNs = (m.get("end_ns").asLong() - m.get("start_ns").asLong()) * m.get("cpu_count").asLong();
        long irqNs = scalar("SELECT sum(ts_end - ts_begin) FROM irq");
        assertTrue(irqNs > 0 && irqNs < recordingNs, "interrupt time " + irqNs + " ns of " + recordingNs + " ns of CPU");
        long emitted = 0;
        for (JsonNode n : m.at("/counters/emitted_per_cpu/irq")) emitted += n.asLong();
        assertEquals(emitted, m.at("/rows/irq").asLong(), "every interrupt BPF emitted was written");
    }
}
