package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

/** What `go tool pprof -raw` reads from a profile: the real client, not our decoder. */
final class GoPprof {
    private GoPprof() {}

    /**
     * The sum of each sample value over the profile, as go tool pprof -raw
     * prints the samples ("  count  value: loc loc ..." under "Samples:").
     */
    static long[] rawTotals(Path profile) throws Exception {
        Tools.Result raw = Tools.run(List.of("go", "tool", "pprof", "-raw", profile.toString()), 120);
        assertEquals(0, raw.exit(), raw.toString());
        List<String> lines = raw.stdout().lines().toList();
        int header = lines.indexOf("Samples:");
        assertTrue(header >= 0, raw.stdout());
        int values = lines.get(header + 1).trim().split("\\s+").length;
        long[] totals = new long[values];
        long samples = 0;
        for (String line : lines.subList(header + 2, lines.size())) {
            if (line.startsWith("Locations") || line.startsWith("Mappings")) break;
            int colon = line.indexOf(':');
            String[] v = colon < 0 ? new String[0] : line.substring(0, colon).trim().split("\\s+");
            if (v.length != values || !v[0].matches("-?\\d+")) continue; // a label line
            for (int i = 0; i < values; i++) totals[i] += Long.parseLong(v[i]);
            samples++;
        }
        assertTrue(samples > 0, raw.stdout());
        return totals;
    }
}
