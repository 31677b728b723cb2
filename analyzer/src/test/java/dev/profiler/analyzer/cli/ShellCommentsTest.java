package dev.profiler.analyzer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The shell drops comments before deciding a statement is complete, and only comments. */
class ShellCommentsTest {
    @Test
    void lineCommentsGoLineBreaksStay() {
        assertEquals("SELECT 1 \n;", Shell.withoutComments("SELECT 1 -- the thread's state;\n;"));
    }

    @Test
    void blockCommentsGoEvenWithSemicolonsAndQuotesInside() {
        assertEquals("SELECT   1;", Shell.withoutComments("SELECT /* it's; here */ 1;"));
        assertEquals("SELECT  \n\n 1;", Shell.withoutComments("SELECT /* one\ntwo\n*/ 1;"));
        assertEquals("SELECT  ", Shell.withoutComments("SELECT /* never closed; 1;"));
    }

    @Test
    void commentMarkersInsideStringsAreText() {
        assertEquals("SELECT '-- not a comment', '/* nor this */';",
            Shell.withoutComments("SELECT '-- not a comment', '/* nor this */';"));
    }
}
