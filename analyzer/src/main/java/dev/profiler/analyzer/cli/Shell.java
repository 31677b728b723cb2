package dev.profiler.analyzer.cli;

import dev.profiler.analyzer.CaptureDatabase;
import dev.profiler.analyzer.ResultPrinter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive shell of profiler-query (a capture and no SQL): SQL
 * statements end with ';' and may span lines; dot-commands (.tables,
 * .schema NAME, .timing on|off, .help, .quit) are one line. Tab completes
 * table, view and column names and SQL keywords; history is kept in
 * ~/.profiler_query_history. A failing statement prints DuckDB's message
 * and the shell goes on.
 */
final class Shell {
    static final List<String> KEYWORDS = List.of("SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "LIMIT", "JOIN",
        "LEFT JOIN", "USING", "WITH", "AS", "AND", "OR", "NOT", "COUNT", "SUM", "MIN", "MAX", "AVG", "DISTINCT",
        "HAVING", "DESC", "ASC", "DESCRIBE", "SUMMARIZE", "EXPLAIN", "SET VARIABLE", ".tables", ".schema", ".timing",
        ".help", ".quit");

    private final CaptureDatabase db;
    private final PrintStream out;
    private boolean timing;

    Shell(CaptureDatabase db, PrintStream out) {
        this.db = db;
        this.out = out;
    }

    /** Runs on the process's terminal (or stdin/stdout when they are not one: scripts, tests). */
    int run() throws IOException {
        try (Terminal t = TerminalBuilder.builder().system(true).build()) {
            return run(t, true);
        }
    }

    private int run(Terminal terminal, boolean keepHistory) throws IOException {
        DefaultParser parser = new DefaultParser();
        parser.setEofOnUnclosedQuote(true);
        LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).parser(new StatementParser(parser))
            .completer(new StringsCompleter(completions()))
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .variable(LineReader.SECONDARY_PROMPT_PATTERN, "   ...> ");
        if (keepHistory)
            b.variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".profiler_query_history"));
        LineReader reader = b.build();
        out.println("profiler-query shell: SQL ending with ';', or .help");
        while (true) {
            String line;
            try {
                line = reader.readLine("sql> ");
            } catch (UserInterruptException e) {
                continue; // Ctrl-C drops the statement being typed
            } catch (EndOfFileException e) {
                return 0;
            }
            String text = line.strip();
            if (text.isEmpty()) continue;
            if (text.startsWith(".")) {
                if (!dotCommand(text)) return 0;
            } else {
                execute(text);
            }
        }
    }

    /** 'a', 'b' for names that are plain identifiers; '' for none. */
    private static String sqlList(List<String> names) {
        return names.isEmpty() ? "''" : "'" + String.join("', '", names) + "'";
    }

    /** False when the shell should end. */
    private boolean dotCommand(String text) {
        String[] w = text.split("\\s+");
        switch (w[0]) {
            case ".quit", ".exit" -> { return false; }
            case ".tables" -> execute("SELECT table_name AS name, CASE WHEN table_type = 'BASE TABLE' OR table_name IN ("
                + sqlList(CaptureDatabase.captureTables()) + ") THEN 'table' WHEN table_name IN (" + sqlList(db.cachedViews())
                + ") THEN 'view (cached)' ELSE lower(table_type) END AS kind"
                + " FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()"
                + " UNION ALL SELECT DISTINCT function_name, replace(function_type, '_', ' ') FROM duckdb_functions()"
                + " WHERE NOT internal AND function_type IN ('macro', 'table_macro') ORDER BY name");
            case ".schema" -> {
                if (w.length < 2) out.println("usage: .schema NAME");
                else if (!w[1].matches("[A-Za-z_][A-Za-z0-9_]*")) out.println("not a table name: " + w[1]);
                else execute("DESCRIBE " + w[1]);
            }
            case ".timing" -> {
                if (w.length < 2 || !(w[1].equals("on") || w[1].equals("off"))) out.println("usage: .timing on|off");
                else timing = w[1].equals("on");
            }
            case ".help" -> out.println("""
                SQL statements end with ';' and may span lines. Every capture table is a table; the analyses are
                views and macros (thread_states, offcpu, waits, stalls(), lock_time(), waiting_for_work,
                critical_path(tid), flame_cpu, ...).
                  .tables          tables and views
                  .schema NAME     columns of a table or view
                  .timing on|off   print how long each statement took
                  .quit            leave (or Ctrl-D)""");
            default -> out.println("unknown command " + w[0] + " (.help lists them)");
        }
        return true;
    }

    private void execute(String sql) {
        String statement = sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql;
        long t0 = System.nanoTime();
        try (Statement st = db.connection().createStatement()) {
            if (st.execute(statement)) {
                try (ResultSet rs = st.getResultSet()) {
                    ResultPrinter.print(rs, ResultPrinter.Format.TABLE, out);
                }
            }
        } catch (SQLException e) {
            out.println("SQL error: " + QueryCommand.sqlMessage(e));
        } catch (IOException e) {
            out.println("error: " + e.getMessage());
        }
        if (timing) out.printf("time: %.3f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Table, view and column names of the session, and SQL keywords. */
    private List<String> completions() {
        TreeSet<String> names = new TreeSet<>(KEYWORDS);
        Connection c = db.connection();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT table_name, column_name FROM information_schema.columns"
                 + " WHERE table_schema = 'main' AND table_catalog = current_database()")) {
            while (rs.next()) {
                names.add(rs.getString(1));
                names.add(rs.getString(2));
            }
        } catch (SQLException e) {
            // completion is a convenience: without it the shell still works
        }
        return new ArrayList<>(names);
    }

    /**
     * A statement is complete when it ends with ';' (or is a dot-command):
     * until then JLine asks for another line. Comments ("--" and block
     * comments) are dropped first: a ';' or an apostrophe in one ("-- the thread's state;") would
     * otherwise end the statement early or open a quote that swallows the
     * rest of a script.
     */
    static final class StatementParser implements org.jline.reader.Parser {
        private final DefaultParser words;

        StatementParser(DefaultParser words) { this.words = words; }

        @Override
        public org.jline.reader.ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE) {
                String code = withoutComments(line);
                String s = code.strip();
                if (!s.isEmpty() && !s.startsWith(".") && !s.endsWith(";"))
                    throw new org.jline.reader.EOFError(-1, -1, "statement not ended with ;");
                return words.parse(code, code.length(), context);
            }
            return words.parse(line, cursor, context);
        }
    }

    /**
     * sql without its comments outside quotes: "--" to the end of the line,
     * and block comments (a space stands for one, its line breaks kept, so
     * DuckDB's line numbers still match); an unclosed block comment runs to
     * the end, as DuckDB reads it.
     */
    static String withoutComments(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote == 0 && c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                while (i < sql.length() && sql.charAt(i) != '\n') i++;
                if (i < sql.length()) out.append('\n');
                continue;
            }
            if (quote == 0 && c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
                out.append(' ');
                for (i += 2; i < sql.length() && !(sql.charAt(i) == '*' && i + 1 < sql.length() && sql.charAt(i + 1) == '/'); i++)
                    if (sql.charAt(i) == '\n') out.append('\n');
                i++; // past the closing '/'
                continue;
            }
            if (quote == 0 && (c == '\'' || c == '"')) quote = c;
            else if (c == quote) quote = 0; // '' inside a string closes and reopens: still inside
            out.append(c);
        }
        return out.toString();
    }
}
