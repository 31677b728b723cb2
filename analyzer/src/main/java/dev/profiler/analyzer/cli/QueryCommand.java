package dev.profiler.analyzer.cli;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import dev.profiler.analyzer.reports.LocksReport;
import dev.profiler.analyzer.reports.PathReport;
import dev.profiler.analyzer.reports.ReportSettings;
import dev.profiler.analyzer.reports.StallsReport;
import dev.profiler.analyzer.reports.TopReport;
import dev.profiler.formats.CaptureException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "profiler-query", mixinStandardHelpOptions = true, version = "profiler-query 0.1.0",
    usageHelpAutoWidth = true,
    description = {
        "Queries a capture with DuckDB SQL; every capture table is a table of the same name.",
        "  profiler-query CAPTURE \"SQL\"      run a query",
        "  profiler-query CAPTURE           the interactive shell (SQL ending with ';', .tables, .schema, .timing)",
        "  profiler-query A.cap B.cap [SQL]  several captures: each table a union, with a capture column",
        "  profiler-query top CAPTURE        hottest functions, self and total",
        "  profiler-query stalls CAPTURE     where the machine or a thread stopped, and why",
        "  profiler-query locks CAPTURE      which locks threads waited for, and how long",
        "  profiler-query path CAPTURE --tid T  why this thread took so long: its time, and what its wakers did"},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:ok", "1:the query failed", "2:bad arguments or not a capture"})
public final class QueryCommand implements Callable<Integer> {
    static final List<String> REPORTS = List.of("top", "stalls", "locks", "path");

    @Option(names = {"-f", "--format"}, defaultValue = "table", paramLabel = "FORMAT",
        description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Mixin
    FilterOptions filters = new FilterOptions();

    @Option(names = "--no-cache",
        description = "Neither read nor write the analysis cache (CAPTURE.duckdb beside the capture, else ~/.cache/profiler-query):"
            + " copy the capture into memory and compute the analyses in each query.")
    boolean noCache;

    @Parameters(paramLabel = "ARGS", arity = "1..*",
        description = "CAPTURE... [\"SQL\"] (no SQL: the interactive shell), or REPORT CAPTURE")
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
        if (REPORTS.contains(args.get(0)) && !Files.exists(Path.of(args.get(0)))) {
            if (args.size() != 2) throw new UsageException(args.get(0) + " takes one CAPTURE");
            ReportSettings settings = filters.settings();
            if (args.get(0).equals("path") && settings.tid() == null)
                throw new UsageException("path needs --tid TID: the thread whose time to explain");
            try (CaptureDatabase db = open(Path.of(args.get(1)))) {
                try {
                    return switch (args.get(0)) {
                        case "top" -> TopReport.print(db, settings, fmt, out);
                        case "stalls" -> StallsReport.print(db, settings, fmt, out);
                        case "locks" -> LocksReport.print(db, settings, fmt, out);
                        case "path" -> PathReport.print(db, settings, fmt, out);
                        default -> throw new UsageException("unknown report " + args.get(0));
                    };
                } catch (SQLException e) {
                    throw new QueryException(args.get(0) + " report failed: " + sqlMessage(e));
                }
            }
        }
        // CAPTURE... then the SQL, if the last argument is not a path
        String last = args.get(args.size() - 1);
        boolean hasSql = args.size() >= 2 && !Files.exists(Path.of(last));
        List<Path> captures = new ArrayList<>();
        for (String a : hasSql ? args.subList(0, args.size() - 1) : args) captures.add(Path.of(a));
        if (!hasSql) {
            try (CaptureDatabase db = open(captures)) {
                return new Shell(db, out).run();
            }
        }
        try (CaptureDatabase db = open(captures);
             Statement st = db.connection().createStatement()) {
            try {
                boolean hasRows = st.execute(last);
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

    private CaptureDatabase open(Path p) throws CaptureException {
        return open(List.of(p));
    }

    private CaptureDatabase open(List<Path> p) throws CaptureException {
        // building the cache of a big capture takes a while: say so on a terminal, keep scripts' stderr clean
        boolean terminal = System.console() != null;
        CaptureDatabase db = CaptureDatabase.open(p, noCache ? CaptureDatabase.CacheUse.OFF : CaptureDatabase.CacheUse.USE,
            message -> {
                if (terminal) System.err.println("profiler-query: " + message);
            });
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
