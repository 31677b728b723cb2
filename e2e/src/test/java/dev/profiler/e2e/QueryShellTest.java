package dev.profiler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * profiler-query with a capture and no SQL: the interactive shell, here
 * fed a script on stdin (as `profiler-query x.cap < script.sql` runs it);
 * and several captures at once.
 */
class QueryShellTest {
    static final Path CONVOY = Tools.HOME.resolve("testdata/synthetic/convoy.cap");
    static final Path RUNQUEUE = Tools.HOME.resolve("testdata/synthetic/runqueue.cap");

    @TempDir Path tmp;

    String shell(String script, Path... captures) throws Exception {
        Path in = tmp.resolve("script.sql");
        Files.writeString(in, script);
        List<String> cmd = new java.util.ArrayList<>(List.of(Tools.HOME.resolve("bin/profiler-query").toString()));
        for (Path c : captures) cmd.add(c.toString());
        Tools.Result r = Tools.run(cmd, in, 120);
        assertEquals(0, r.exit(), r.toString());
        return r.stdout();
    }

    @Test
    void runsStatementsOverLinesGoesOnAfterErrorsAndKnowsItsCommands() throws Exception {
        String out = shell(String.join("\n",
            ".tables",
            "SELECT count(*) AS n",
            "  FROM futex_wait;",
            "SELEC oops;",
            "SELECT tid FROM threads WHERE name = 'worker-2';",
            ".schema lock_waits",
            ".timing on",
            "SELECT 42 AS answer;",
            "-- a comment with the thread's apostrophe; and a semicolon",
            "SELECT 'it''s -- not a comment' AS quoted, -- the end of a line",
            "  7 AS seven;",
            ".nonsense",
            ".quit", ""), CONVOY);
        assertTrue(out.contains("thread_states") && out.contains("stalls") && out.contains("table macro"),
            ".tables lists tables, views and macros: " + out);
        assertFalse(out.contains("__arrow_"), "no leftover stream names: " + out);
        assertTrue(out.matches("(?s).*\\bn\\b.*\\n\\s*2\\n.*"), "a statement over two lines: " + out);
        assertTrue(out.contains("SQL error: Parser Error: syntax error at or near \"SELEC\""), out);
        assertTrue(out.contains("303"), "the shell went on after the error: " + out);
        assertTrue(out.contains("lock_space") && out.contains("wait_ns"), ".schema: " + out);
        assertTrue(out.matches("(?s).*42.*time: \\d+\\.\\d{3} s.*"), ".timing on: " + out);
        assertTrue(out.contains("unknown command .nonsense"), out);
        assertTrue(out.contains("it's -- not a comment") && out.matches("(?s).*\\b7\\b.*"),
            "comments (with ' and ;) skipped, a -- inside a string kept: " + out);
    }

    @Test
    void severalCapturesUnionEachTableWithACaptureColumn() throws Exception {
        Tools.Result r = Tools.tool("profiler-query", "--format", "csv", CONVOY.toString(), RUNQUEUE.toString(),
            "SELECT capture, count(*) AS samples, (SELECT end_ns FROM capture_info i WHERE i.capture = s.capture) AS end_ns"
                + " FROM samples s GROUP BY 1 ORDER BY 1");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("capture,samples,end_ns", "convoy,6000,2000000000", "runqueue,6000,3000000000"),
            r.stdout().lines().toList());
        String out = shell("SELECT DISTINCT capture FROM threads ORDER BY 1;\n", CONVOY, RUNQUEUE);
        assertTrue(out.matches("(?s).*convoy.*runqueue.*"), out);
    }
}
