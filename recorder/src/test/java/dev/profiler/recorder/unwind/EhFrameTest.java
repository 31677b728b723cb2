package dev.profiler.recorder.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * EhFrame gives, for every FDE of real libraries, the rows binutils' own
 * interpreter gives (`readelf --debug-dump=frames-interp`, the oracle), and
 * a damaged file only an IOException.
 */
class EhFrameTest {
    static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
    static final Path LIBSTDCXX = Path.of("/usr/lib/x86_64-linux-gnu/libstdc++.so.6");
    static final String[] REGS = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
        "r12", "r13", "r14", "r15", "ra"};

    @TempDir Path tmp;

    @Test
    void libcRowsAreReadelfs() throws Exception {
        compareWithReadelf(LIBC, 3000);
    }

    @Test
    void libstdcxxRowsAreReadelfs() throws Exception {
        compareWithReadelf(LIBSTDCXX, 4000);
    }

    @Test
    void libjvmRowsAreReadelfs() throws Exception {
        // the JDK running this test: HotSpot's 43k FDEs, half of them rbp-based
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        compareWithReadelf(libjvm, 40000);
    }

    /** A program built with -g but no unwind tables: its functions are in .debug_frame only (crt's in .eh_frame). */
    @Test
    void debugFrameRowsAreReadelfs() throws Exception {
        Path bin = buildDebugFrameOnly(tmp);
        compareWithReadelf(bin, 7);
        long inDebugFrame = EhFrame.read(ElfSections.open(bin)).size() - fdeCount(bin, ".eh_frame");
        assertTrue(inDebugFrame >= 6, "main, run, a, b, leaf, sorter, cmp come from .debug_frame: " + inDebugFrame);
    }

    /** zlib-compressed debug sections (objcopy --compress-debug-sections, as Debian's debug files are) read the same. */
    @Test
    void compressedDebugFrameReadsTheSame() throws Exception {
        Path bin = buildDebugFrameOnly(tmp);
        Path zbin = tmp.resolve("chain-z");
        Process p = new ProcessBuilder("objcopy", "--compress-debug-sections=zlib", bin.toString(), zbin.toString())
            .inheritIO().start();
        assertEquals(0, p.waitFor());
        assertTrue(ElfSections.open(zbin).find(".debug_frame").compressed(), "objcopy compressed .debug_frame");
        assertEquals(EhFrame.read(ElfSections.open(bin)), EhFrame.read(ElfSections.open(zbin)));
    }

    @Test
    @Timeout(120)
    void damagedDebugFrameIsAnIoExceptionOrLeftOutNeverACrash() throws Exception {
        Path bin = buildDebugFrameOnly(tmp);
        byte[] clean = Files.readAllBytes(bin);
        ElfSections.Section df = ElfSections.open(bin).find(".debug_frame");
        int ehFdes = fdeCount(bin, ".eh_frame");
        Random rnd = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] copy = clean.clone();
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) copy[(int) (df.offset() + rnd.nextInt((int) df.size()))] = (byte) rnd.nextInt(256);
            Path f = tmp.resolve("damaged-df");
            Files.write(f, copy);
            // .eh_frame is whole: a .debug_frame that cannot be read is left out, the file keeps .eh_frame's FDEs
            assertTrue(EhFrame.read(ElfSections.open(f)).size() >= ehFdes);
            assertTrue(UnwindTable.read(ElfSections.open(f)).size() > 0, "the table the recorder builds keeps them too");
        }
    }

    private static int fdeCount(Path bin, String section) throws IOException {
        return EhFrame.section(ElfSections.open(bin), section, section.equals(".debug_frame")).size();
    }

    static Path buildDebugFrameOnly(Path dir) throws IOException, InterruptedException {
        Path src = Path.of(System.getProperty("user.dir")).getParent().resolve("testdata/workloads/unwind_chain.c");
        Path out = dir.resolve("chain-debug-frame");
        Process p = new ProcessBuilder("gcc", "-O2", "-g", "-fno-asynchronous-unwind-tables", "-o", out.toString(),
            src.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "gcc");
        assertTrue(ElfSections.open(out).find(".debug_frame") != null, "gcc wrote a .debug_frame");
        return out;
    }

    /** Every FDE's rows, as "pc cfa rbp ra" lines with repeats merged, ours against readelf's. */
    private static void compareWithReadelf(Path lib, int atLeastFdes) throws Exception {
        Map<Long, List<String>> expected = readelf(lib);
        assertTrue(expected.size() >= atLeastFdes, lib + ": readelf found " + expected.size() + " FDEs");
        Map<Long, List<String>> ours = new LinkedHashMap<>();
        for (EhFrame.Fde f : EhFrame.read(ElfSections.open(lib))) {
            List<String> lines = new ArrayList<>();
            for (UnwindRow r : f.rows()) lines.add(String.format("%x %s %s %s", r.pc(), cfa(r), rule(r.rbp(), r.rbpArg()),
                rule(r.ra(), r.raArg())));
            ours.put(f.pcBegin(), merged(lines));
        }
        assertEquals(expected.keySet(), ours.keySet(), lib + ": the FDEs");
        int rows = 0;
        for (Map.Entry<Long, List<String>> e : expected.entrySet()) {
            assertEquals(e.getValue(), ours.get(e.getKey()), lib + ": FDE at " + Long.toHexString(e.getKey()));
            rows += e.getValue().size();
        }
        assertTrue(rows > atLeastFdes, lib + ": " + rows + " rows compared");
    }

    static String cfa(UnwindRow r) {
        return r.cfaRegister() < 0 ? "exp"
            : REGS[r.cfaRegister()] + (r.cfaOffset() >= 0 ? "+" : "") + r.cfaOffset();
    }

    static String rule(UnwindRow.Rule rule, long arg) {
        return switch (rule) {
            case UNDEFINED -> "u";
            case SAME -> "s";
            case OFFSET -> "c" + (arg >= 0 ? "+" : "") + arg;
            case VAL_OFFSET -> "v" + (arg >= 0 ? "+" : "") + arg;
            case REGISTER -> REGS[(int) arg];
            case EXPRESSION -> "exp";
            case VAL_EXPRESSION -> "vexp";
        };
    }

    /** Consecutive lines with the same rules (all but the pc) merged into the first. */
    static List<String> merged(List<String> lines) {
        List<String> out = new ArrayList<>();
        String last = null;
        for (String l : lines) {
            String rules = l.substring(l.indexOf(' ') + 1);
            if (!rules.equals(last)) out.add(l);
            last = rules;
        }
        return out;
    }

    private static final Pattern CIE = Pattern.compile("^([0-9a-f]{8}) [0-9a-f]+ [0-9a-f]+ CIE");
    private static final Pattern FDE = Pattern.compile("^[0-9a-f]{8} [0-9a-f]+ [0-9a-f]+ FDE cie=([0-9a-f]{8}) pc=([0-9a-f]+)\\.\\.");
    private static final Pattern ROW = Pattern.compile("^([0-9a-f]{16}) +(.*?) *$");

    /** FDE start -> its rows from readelf's frames-interp, in our line format; an FDE with none has its CIE's row. */
    static Map<Long, List<String>> readelf(Path lib) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("readelf", "--debug-dump=frames-interp", lib.toString()).redirectErrorStream(true).start();
        Map<Long, List<String>> out = new LinkedHashMap<>();
        Map<String, String> cieRow = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String cie = null;
            Long fde = null;
            List<String> columns = List.of();
            List<String> rows = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                Matcher m;
                if (line.startsWith("Contents of the ")) cieRow.clear(); // CIE offsets are per section
                if ((m = CIE.matcher(line)).find()) {
                    cie = m.group(1);
                    fde = null;
                } else if ((m = FDE.matcher(line)).find()) {
                    fde = Long.parseLong(m.group(2), 16);
                    rows = new ArrayList<>();
                    out.put(fde, rows);
                    String base = cieRow.get(m.group(1));
                    if (base != null) rows.add(Long.toHexString(fde) + " " + base); // replaced if the FDE has rows
                    cie = null;
                } else if (line.trim().startsWith("LOC")) {
                    columns = List.of(line.trim().split(" +"));
                    if (fde != null) rows.clear();
                } else if ((m = ROW.matcher(line)).find()) {
                    // a register rule prints as "r9 (r9)", "r1 (rdx)": keep the name
                    String[] v = m.group(2).replaceAll("r\\d+ \\((\\w+)\\)", "$1").split(" +");
                    String rbp = "u", ra = "u";
                    for (int c = 2; c < columns.size() && c - 1 < v.length; c++) {
                        if (columns.get(c).equals("rbp")) rbp = v[c - 1];
                        if (columns.get(c).equals("ra")) ra = v[c - 1];
                    }
                    String rules = v[0] + " " + rbp + " " + ra;
                    if (cie != null) cieRow.put(cie, rules);
                    else if (fde != null) rows.add(Long.toHexString(Long.parseLong(m.group(1), 16)) + " " + rules);
                }
            }
        }
        // (readelf exits 1 on Debian's libc without saying why; the FDE count above is what matters)
        p.waitFor();
        out.replaceAll((k, v) -> merged(v));
        return out;
    }

    @Test
    void aFileWithoutEhFrameHasNoRows() throws Exception {
        Path f = tmp.resolve("no-eh.so");
        // an ELF header with no sections
        byte[] b = new byte[64];
        b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F'; b[4] = 2; b[5] = 1;
        Files.write(f, b);
        assertEquals(List.of(), EhFrame.read(ElfSections.open(f)));
    }

    @Test
    @Timeout(120)
    void damagedEhFrameIsAnIoExceptionNeverACrash() throws Exception {
        byte[] libc = Files.readAllBytes(LIBC);
        ElfSections.Section eh = ElfSections.open(LIBC).find(".eh_frame");
        Random rnd = new Random(42);
        int rejected = 0;
        for (int i = 0; i < 200; i++) {
            byte[] copy = libc.clone();
            // damage a few bytes of .eh_frame (or, one time in ten, the section headers)
            for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
                long at = i % 10 == 0 ? copy.length - 1 - rnd.nextInt(4096) : eh.offset() + rnd.nextInt((int) eh.size());
                copy[(int) at] = (byte) rnd.nextInt(256);
            }
            Path f = tmp.resolve("damaged.so");
            Files.write(f, copy);
            try {
                EhFrame.read(ElfSections.open(f));
            } catch (IOException e) {
                rejected++;
            }
            try {
                UnwindTable.read(ElfSections.open(f)); // the recorder's path: rows reduced as they are read
            } catch (IOException e) {
                rejected++;
            }
        }
        assertTrue(rejected > 0, "some damage is detected, and none is anything but an IOException");
        Path truncated = tmp.resolve("truncated.so");
        Files.write(truncated, java.util.Arrays.copyOf(libc, (int) (eh.offset() + eh.size() / 2)));
        assertThrows(IOException.class, () -> EhFrame.read(ElfSections.open(truncated)));
        assertThrows(IOException.class, () -> UnwindTable.read(ElfSections.open(truncated)));
    }
}
