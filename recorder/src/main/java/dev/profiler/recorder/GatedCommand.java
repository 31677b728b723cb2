package dev.profiler.recorder;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts `-- CMD ARGS` held at a gate: a shell waits on a FIFO, then execs
 * the command (same pid), so the recorder can add the pid to its BPF filter
 * before the command runs its first instruction.
 */
final class GatedCommand {
    private final Process process;
    private final Path fifo;
    private final RandomAccessFile gate;

    private GatedCommand(Process process, Path fifo, RandomAccessFile gate) {
        this.process = process;
        this.fifo = fifo;
        this.gate = gate;
    }

    static GatedCommand start(List<String> command) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("profiler-rec-");
        Path fifo = dir.resolve("gate");
        Process mk = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).inheritIO().start();
        if (mk.waitFor() != 0) throw new IOException("mkfifo failed");
        // O_RDWR on a FIFO never blocks on Linux: the gate opens even if the child dies first.
        RandomAccessFile gate = new RandomAccessFile(fifo.toFile(), "rw");
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "read -r _ < \"$0\" && exec \"$@\"", fifo.toString()));
        argv.addAll(command);
        Process p = new ProcessBuilder(argv).inheritIO().start();
        return new GatedCommand(p, fifo, gate);
    }

    long pid() { return process.pid(); }

    Process process() { return process; }

    /** Lets the command run. */
    void open() throws IOException {
        gate.write('\n');
    }

    void cleanup() {
        try {
            gate.close();
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(fifo.getParent());
        } catch (IOException ignored) {
            // a temp FIFO left behind is harmless
        }
    }
}
