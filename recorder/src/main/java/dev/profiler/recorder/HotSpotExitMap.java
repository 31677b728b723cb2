package dev.profiler.recorder;

import dev.profiler.recorder.symbols.ElfFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Has a running HotSpot JVM (JDK 17+) write its perf map when it exits, as
 * -XX:+DumpPerfMapAtExit would, by setting that flag in its memory: the
 * flag is a one-byte global of libjvm.so that only the JVM's exit path
 * reads (before_exit, while its code cache still stands). A JVM that exits
 * while it is recorded then names its JIT code itself, up to its last
 * instruction; no request to it can race its exit, and none stalls it
 * while it runs (a perf map request holds its code cache lock).
 *
 * Why memory and not the command line: the flag is diagnostic, so jcmd
 * VM.set_flag refuses it, and giving it through JAVA_TOOL_OPTIONS makes
 * every JVM print "Picked up JAVA_TOOL_OPTIONS" into the user's output.
 * The write is a debugger's (gdb's `set var`): /proc/PID/mem, which needs
 * the right to ptrace the JVM (root has it). It is made only where the
 * symbol is a one-byte object in a writable mapping of that libjvm.so and
 * the byte holds false, and undone at the end for a JVM still running.
 */
final class HotSpotExitMap {
    static final String FLAG = "DumpPerfMapAtExit";

    /**
     * A flag this recorder set: its address in the JVM and the JVM's start
     * time (clock ticks after boot), so it is undone in that process only,
     * never in a later one that got the same pid.
     */
    record SetFlag(int pid, long address, long startTime) {}

    private HotSpotExitMap() {}

    /**
     * Sets the JVM's flag. Returns what to undo, or null if the flag was
     * already on (the user's -XX:+DumpPerfMapAtExit: nothing to undo);
     * IOException says why it cannot be set.
     */
    static SetFlag enable(Path procRoot, int pid) throws IOException {
        Path proc = procRoot.resolve(Integer.toString(pid));
        long startTime = startTime(proc);
        // the open /proc/PID/mem stays that process's memory even if the pid is reused meanwhile
        try (FileChannel mem = FileChannel.open(proc.resolve("mem"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long address = flagAddress(proc);
            if (startTime(proc) != startTime) throw new IOException("the process exited");
            byte now = readByte(mem, address);
            if (now == 1) return null;
            if (now != 0) throw new IOException(FLAG + " holds " + now + ", not a bool: not written");
            writeByte(mem, address, (byte) 1);
            if (readByte(mem, address) != 1) throw new IOException(FLAG + " did not keep the value written");
            return new SetFlag(pid, address, startTime);
        }
    }

    /** Clears a flag this recorder set, if its JVM still runs and the flag still holds true. */
    static void undo(Path procRoot, SetFlag flag) throws IOException {
        Path proc = procRoot.resolve(Integer.toString(flag.pid()));
        try (FileChannel mem = FileChannel.open(proc.resolve("mem"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (startTime(proc) != flag.startTime()) return; // another process now has that pid
            if (readByte(mem, flag.address()) == 1) writeByte(mem, flag.address(), (byte) 0);
        } catch (java.nio.file.NoSuchFileException e) {
            // it exited: nothing to undo
        }
    }

    /** Whether the flag at that address is set (for tests and checks). */
    static boolean isSet(Path procRoot, int pid) throws IOException {
        Path proc = procRoot.resolve(Integer.toString(pid));
        try (FileChannel mem = FileChannel.open(proc.resolve("mem"), StandardOpenOption.READ)) {
            return readByte(mem, flagAddress(proc)) == 1;
        }
    }

    /**
     * Where libjvm.so's flag lies in the process: the symbol's ELF address
     * plus the library's load bias, read from the mapped file itself
     * (/proc/PID/map_files, so a file replaced on disk or another mount
     * namespace's path cannot mislead), and only in a writable mapping.
     */
    static long flagAddress(Path proc) throws IOException {
        String first = null, firstPath = null;
        List<String> maps = Files.readAllLines(proc.resolve("maps"));
        for (String line : maps) {
            String[] f = line.trim().split("\\s+", 6);
            // private: the loader's mapping, not the file mapped by a reader such as this class (r--s)
            if (f.length == 6 && f[5].endsWith("/libjvm.so") && f[1].endsWith("p") && Long.parseUnsignedLong(f[2], 16) == 0) {
                first = f[0];
                firstPath = f[5];
                break;
            }
        }
        if (first == null) throw new IOException("it maps no libjvm.so");
        ElfFile.DataObject flag = ElfFile.findObject(proc.resolve("map_files").resolve(first), FLAG);
        if (flag == null) throw new IOException(firstPath + " has no symbol " + FLAG + " (stripped, or older than JDK 17)");
        if (flag.size() != 1) throw new IOException(FLAG + " is " + flag.size() + " bytes, not a bool");
        // the mapping at file offset 0 is where the first PT_LOAD segment's page was loaded
        long bias = Long.parseUnsignedLong(first, 0, first.indexOf('-'), 16) - flag.offsetZeroVaddr();
        long address = bias + flag.vaddr();
        if (!writableMapping(maps, address)) throw new IOException(FLAG + " is not in a writable mapping");
        return address;
    }

    private static boolean writableMapping(List<String> maps, long address) {
        for (String line : maps) {
            String[] f = line.trim().split("\\s+", 3);
            int dash = f[0].indexOf('-');
            if (f.length < 2 || dash < 0) continue;
            long start = Long.parseUnsignedLong(f[0], 0, dash, 16), end = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0)
                return f[1].length() >= 2 && f[1].charAt(1) == 'w';
        }
        return false;
    }

    /** Field 22 of /proc/PID/stat, counted after the command name (which may hold spaces and parentheses). */
    static long startTime(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[19]);
    }

    private static byte readByte(FileChannel mem, long address) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        if (mem.read(b, address) != 1) throw new IOException("cannot read its memory at 0x" + Long.toHexString(address));
        return b.get(0);
    }

    private static void writeByte(FileChannel mem, long address, byte value) throws IOException {
        if (mem.write(ByteBuffer.wrap(new byte[] {value}), address) != 1)
            throw new IOException("cannot write its memory at 0x" + Long.toHexString(address));
    }
}
