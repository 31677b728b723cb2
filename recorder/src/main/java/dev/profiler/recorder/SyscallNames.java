package dev.profiler.recorder;

import dev.profiler.recorder.bpf.BpfRecords;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Names of x86-64 system calls by number: the dictionary of
 * sched_switch.prev_syscall, whose index is the number the BPF side read
 * (bpf/sched.bpf.c, fill_wait_context). Numbers with no name here (gaps in
 * the table, calls newer than it) are named {@code syscall_N}, so a capture
 * never says a wrong name.
 */
public final class SyscallNames {
    private static final String TABLE = "syscalls-x86_64.txt";

    private SyscallNames() {}

    /** Exactly BpfRecords.MAX_SYSCALL names, index = system call number. */
    public static List<String> x86_64() {
        String[] names = new String[BpfRecords.MAX_SYSCALL];
        for (int i = 0; i < names.length; i++) names[i] = "syscall_" + i;
        try (InputStream in = SyscallNames.class.getResourceAsStream(TABLE);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                // "NUMBER NAME", one space (see the table's header): not split("\\s+"), a regular
                // expression per line, ~10 ms of the recorder's start while still interpreted
                int space = line.indexOf(' ');
                int nr = Integer.parseInt(line, 0, space, 10);
                if (nr >= 0 && nr < names.length) names[nr] = line.substring(space + 1).strip();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the system call table " + TABLE, e);
        }
        return new ArrayList<>(Arrays.asList(names));
    }
}
