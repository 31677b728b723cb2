package dev.profiler.analyzer.cli;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import dev.profiler.analyzer.reports.LocksReport;
import dev.profiler.analyzer.reports.ReportSettings;
import dev.profiler.analyzer.reports.StallsReport;
import dev.profiler.analyzer.reports.TopReport;
import dev.profiler.formats.CaptureException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "profiler-query", mixinStandardHelpOptions = true, version = "profiler-query 0.1.0",
    usageHelpAutoWidth = true,
    description = {
        "Queries a capture with DuckDB SQL; every capture table is a table of the same name.",
        "  profiler-query CAPTURE \"SQL\"      run a query",
        "  profiler-query top CAPTURE        hottest functions, self and total",
        "  profiler-query stalls CAPTURE     where the machine or a thread stopped, and why",
        "  profiler-query locks CAPTURE      which locks threads waited for, and how long"},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:ok", "1:the query failed", "2:bad arguments or not a capture"})
public final class QueryCommand implements Callable<Integer> {
    static final List<String> REPORTS = List.of("top", "stalls", "locks");

    @Option(names = {"-f", "--format"}, defaultValue = "table", paramLabel = "FORMAT",
        description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--threshold", paramLabel = "MS",
        description = "stalls: report stalls at least this long (default 50 ms).")
    Double thresholdMs;

    @Option(names = "--pid", paramLabel = "PID", description = "reports: only this process.")
    Integer pid;

    @Option(names = "--tid", paramLabel = "TID", description = "reports: only this thread.")
    Integer tid;

    @Option(names = "--since", paramLabel = "SECONDS", description = "reports: from this many seconds after the capture's start.")
    Double sinceS;

    @Option(names = "--until", paramLabel = "SECONDS", description = "reports: up to this many seconds after the capture's start.")
    Double untilS;

    @Parameters(paramLabel = "ARGS", arity = "1..2", description = "CAPTURE \"SQL\", or REPORT CAPTURE")
    List<String> args = new ArrayList<>();

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        ResultPrinter.Format fmt;
        try {
            fmt = ResultPrinter.Format.valueOf(format.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown --format " + format + " (table, csv or json)");
        }
        if (args.size() == 2 && REPORTS.contains(args.get(0))) {
            ReportSettings settings = settings();
            try (CaptureDatabase db = open(Path.of(args.get(1)))) {
                try {
                    return switch (args.get(0)) {
                        case "top" -> TopReport.print(db, settings, fmt, out);
                        case "stalls" -> StallsReport.print(db, settings, fmt, out);
                        case "locks" -> LocksReport.print(db, settings, fmt, out);
                        default -> throw new UsageException("unknown report " + args.get(0));
                    };
                } catch (SQLException e) {
                    throw new QueryException(args.get(0) + " report failed: " + sqlMessage(e));
                }
            }
        }
        if (args.size() == 1) {
            if (REPORTS.contains(args.get(0))) throw new UsageException(args.get(0) + " needs a CAPTURE");
            throw new UsageException("give a query: profiler-query CAPTURE \"SQL\" (the interactive shell is not built yet)");
        }
        try (CaptureDatabase db = open(Path.of(args.get(0)));
             Statement st = db.connection().createStatement()) {
            try {
                boolean hasRows = st.execute(args.get(1));
                if (hasRows) {
                    try (ResultSet rs = st.getResultSet()) {
                        ResultPrinter.print(rs, fmt, out);
                    }
                }
            } catch (SQLException e) {
                throw new QueryException("SQL error: " + sqlMessage(e));
            }
        }
        return 0;
    }

    private ReportSettings settings() throws UsageException {
        if (thresholdMs != null && !(thresholdMs > 0)) throw new UsageException("--threshold must be more than 0 ms");
        if (sinceS != null && untilS != null && sinceS > untilS)
            throw new UsageException("--since " + sinceS + " is after --until " + untilS);
        return new ReportSettings(thresholdMs, pid, tid, sinceS, untilS);
    }

    private CaptureDatabase open(Path p) throws CaptureException {
        CaptureDatabase db = CaptureDatabase.open(p);
        for (String w : db.warnings()) System.err.println("profiler-query: warning: " + w);
        return db;
    }

    /** DuckDB's message without its multi-line context. */
    static String sqlMessage(SQLException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        List<String> lines = m.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) return "unknown error";
        String first = lines.get(0);
        // "Parser Error: syntax error at or near ..." / "Catalog Error: Table with name x does not exist!"
        return first.length() > 300 ? first.substring(0, 300) + "…" : first;
    }

    public static int run(PrintStream out, String... argv) {
        QueryCommand cmd = new QueryCommand();
        cmd.out = out;
        return Cli.execute("profiler-query", cmd, argv);
    }

    public static void main(String[] argv) {
        System.exit(run(System.out, argv));
    }
}
