package dev.profiler.recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks the effective capabilities the recorder needs, before touching BPF. */
public final class Capabilities {
    static final int CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    private Capabilities() {}

    /** Names of the missing capabilities (empty when all are there). */
    public static List<String> missingForRecording(Path procSelfStatus) throws IOException {
        long eff = 0;
        for (String line : Files.readAllLines(procSelfStatus))
            if (line.startsWith("CapEff:")) eff = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        List<String> missing = new ArrayList<>();
        boolean admin = has(eff, CAP_SYS_ADMIN);
        if (!has(eff, CAP_BPF) && !admin) missing.add("CAP_BPF");
        if (!has(eff, CAP_PERFMON) && !admin) missing.add("CAP_PERFMON");
        return missing;
    }

    private static boolean has(long eff, int cap) {
        return (eff & (1L << cap)) != 0;
    }
}
