package dev.profiler.recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Under sudo, hands the capture back to the user who asked for it. */
final class SudoOwner {
    private SudoOwner() {}

    static void giveBack(Path capture) {
        String uid = System.getenv("SUDO_UID"), gid = System.getenv("SUDO_GID");
        if (uid == null || gid == null) return;
        try (Stream<Path> files = Files.walk(capture)) {
            for (Path p : files.toList()) {
                Files.setAttribute(p, "unix:uid", Integer.parseInt(uid));
                Files.setAttribute(p, "unix:gid", Integer.parseInt(gid));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("profiler-rec: could not give " + capture + " back to uid " + uid + ": " + e.getMessage());
        }
    }
}
