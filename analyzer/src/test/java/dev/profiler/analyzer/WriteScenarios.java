package dev.profiler.analyzer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the synthetic scenario captures into a directory (testdata/synthetic
 * in the repository: see testdata/README.md for the command).
 */
public final class WriteScenarios {
    private WriteScenarios() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "testdata/synthetic");
        Files.createDirectories(dir);
        for (String name : new String[] {"freeze", "runqueue", "convoy", "waits", "chain"}) {
            Path cap = dir.resolve(name + ".cap");
            if (Files.exists(cap)) {
                try (var s = Files.walk(cap)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            switch (name) {
                case "freeze" -> Scenarios.freeze(cap);
                case "runqueue" -> Scenarios.runqueue(cap);
                case "waits" -> Scenarios.waits(cap);
                case "chain" -> Scenarios.chain(cap);
                default -> Scenarios.convoy(cap);
            }
            System.out.println("wrote " + cap);
        }
    }
}
