package dev.profiler.analyzer.cli;

/** The arguments cannot work; exit 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
