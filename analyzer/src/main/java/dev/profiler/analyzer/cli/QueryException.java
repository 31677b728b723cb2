package dev.profiler.analyzer.cli;

/** The query or conversion failed; exit 1. */
final class QueryException extends Exception {
    QueryException(String message) {
        super(message);
    }
}
