package dev.profiler.recorder;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Asks a running HotSpot JVM (JDK 17+) to write /tmp/perf-PID.map, as
 * `jcmd PID Compiler.perfmap` does, so its JIT frames get names without the
 * user running jcmd by hand. Uses HotSpot's attach protocol (what jcmd,
 * jattach and async-profiler use): create the trigger file
 * .attach_pidN owned by the JVM's user, send SIGQUIT, connect to the
 * socket .java_pidN it then opens in its /tmp, send the command.
 *
 * Written by hand: the JDK's own client (jdk.attach) refuses to attach as a
 * user other than the JVM's and needs the JDK's tools module; the protocol
 * is four NUL-terminated strings. A JVM with -XX:+DisableAttachMechanism
 * never opens the socket: we wait a bounded time and give up.
 */
final class HotSpotPerfMap {
    private static final long SOCKET_WAIT_NANOS = 3_000_000_000L;

    private HotSpotPerfMap() {}

    /** Whether pid maps HotSpot's libjvm.so. */
    static boolean isHotSpot(Path procRoot, int pid) {
        try {
            return Files.readAllLines(procRoot.resolve(pid + "/maps")).stream().anyMatch(l -> l.endsWith("/libjvm.so"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Has the JVM write its perf map; returns null on success, else why not
     * (one line, for the recorder's summary).
     */
    static String request(Path procRoot, int pid) {
        try {
            Path proc = procRoot.resolve(Integer.toString(pid));
            int nsPid = nsPid(proc.resolve("status"), pid);
            Path tmp = proc.resolve("root/tmp");
            Path socket = tmp.resolve(".java_pid" + nsPid);
            if (!Files.exists(socket)) {
                // SIGQUIT wakes HotSpot's attach listener only when it catches the signal for that; a JVM
                // started with -Xrs does not, and SIGQUIT's default action would kill it
                if (!catchesSigquit(Files.readString(proc.resolve("status"))))
                    return "it does not handle SIGQUIT (-Xrs?): not signalled";
                if (attachDisabled(proc))
                    return "-XX:+DisableAttachMechanism: not signalled (it would print a thread dump)";
                Path trigger = proc.resolve("cwd/.attach_pid" + nsPid);
                if (!createOwnedBy(trigger, proc)) {
                    trigger = tmp.resolve(".attach_pid" + nsPid);
                    if (!createOwnedBy(trigger, proc)) return "cannot create its attach trigger file";
                }
                try {
                    Process kill = new ProcessBuilder("kill", "-QUIT", Integer.toString(pid)).start();
                    if (kill.waitFor() != 0) return "cannot signal it";
                    long deadline = System.nanoTime() + SOCKET_WAIT_NANOS;
                    while (!Files.exists(socket) && System.nanoTime() < deadline) Thread.sleep(20);
                } finally {
                    Files.deleteIfExists(trigger);
                }
                if (!Files.exists(socket)) return "it did not open its attach socket (-XX:+DisableAttachMechanism?)";
            }
            return command(socket, "jcmd", "Compiler.perfmap");
        } catch (IOException e) {
            return "attach failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Protocol 1: "1", the command, three arguments, each NUL-terminated; the reply starts with a status line. */
    private static String command(Path socket, String cmd, String arg) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            String request = "1\0" + cmd + "\0" + arg + "\0\0\0";
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) ch.write(out);
            ByteBuffer in = ByteBuffer.allocate(4096);
            StringBuilder reply = new StringBuilder();
            while (ch.read(in) > 0 && reply.length() < 65536) {
                in.flip();
                reply.append(StandardCharsets.UTF_8.decode(in));
                in.clear();
            }
            String text = reply.toString().strip();
            if (text.startsWith("0")) return null;
            return "the JVM answered: " + text.lines().findFirst().orElse("nothing");
        }
    }

    /** Whether /proc/PID/status says the process catches SIGQUIT (bit 2 of the SigCgt mask). */
    static boolean catchesSigquit(String status) {
        for (String line : status.split("\n")) {
            if (!line.startsWith("SigCgt:")) continue;
            try {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 2)) != 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /** -XX:+DisableAttachMechanism on its command line or in the options the JVM picks up from its environment. */
    private static boolean attachDisabled(Path proc) {
        for (String file : new String[] {"cmdline", "environ"}) {
            try {
                if (new String(Files.readAllBytes(proc.resolve(file)), StandardCharsets.UTF_8)
                        .contains("-XX:+DisableAttachMechanism")) return true;
            } catch (IOException e) {
                // unreadable: nothing says it is disabled
            }
        }
        return false;
    }

    /** The JVM's pid in its own pid namespace (the last NSpid field), which names its attach files. */
    static int nsPid(Path status, int pid) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (!line.startsWith("NSpid:")) continue;
            List<String> f = List.of(line.substring(6).trim().split("\\s+"));
            return Integer.parseInt(f.get(f.size() - 1));
        }
        return pid;
    }

    /** Creates an empty file owned by the process's effective user and group: HotSpot trusts no other. */
    private static boolean createOwnedBy(Path file, Path proc) {
        try {
            int[] ids = effectiveIds(proc.resolve("status"));
            Files.deleteIfExists(file);
            Files.createFile(file);
            Files.setAttribute(file, "unix:uid", ids[0]);
            Files.setAttribute(file, "unix:gid", ids[1]);
            return true;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // nothing left to clean
            }
            return false;
        }
    }

    /** {euid, egid} from /proc/PID/status (the second field of Uid: and Gid:). */
    private static int[] effectiveIds(Path status) throws IOException {
        int uid = -1, gid = -1;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("Uid:")) uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            if (line.startsWith("Gid:")) gid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
        }
        if (uid < 0 || gid < 0) throw new IOException("no Uid/Gid in " + status);
        return new int[] {uid, gid};
    }
}
