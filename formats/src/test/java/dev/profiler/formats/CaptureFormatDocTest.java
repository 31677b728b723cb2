package dev.profiler.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CaptureFormatDocTest {
    static final String BEGIN = "<!-- generated from CaptureTable: begin -->\n";
    static final String END = "<!-- generated from CaptureTable: end -->";

    @Test
    void docsDescribeExactlyTheSchemasInCode() throws Exception {
        String doc = Files.readString(Path.of("../docs/capture-format.md"));
        int b = doc.indexOf(BEGIN), e = doc.indexOf(END);
        String inDoc = doc.substring(b + BEGIN.length(), e);
        assertEquals(CaptureFormatDoc.tablesMarkdown(), inDoc,
            "docs/capture-format.md is stale: paste the output of CaptureFormatDoc.main between its markers");
    }
}
