package dev.profiler.analyzer.convert;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a query and reads its rows on a thread of its own, handing them over
 * in batches of columns, so that decoding JDBC values (DuckDB's chunks,
 * boxing, UTF-8 strings) and encoding the output overlap on two cores. A
 * Chrome trace of a 10M-sample capture spent half its time on each side of
 * that line. Integer columns arrive as longs, the rest as strings; a batch
 * is reused only after next() has handed over the one after it.
 */
final class FetchAhead implements AutoCloseable {
    static final int BATCH_ROWS = 4096;

    /** Up to BATCH_ROWS rows: column c of row i is longs[c][i] or strings[c][i], null when nulls[c][i]. */
    static final class Batch {
        int rows;
        final long[][] longs;
        final String[][] strings;
        final boolean[][] nulls;

        Batch(boolean[] isText) {
            longs = new long[isText.length][];
            strings = new String[isText.length][];
            nulls = new boolean[isText.length][BATCH_ROWS];
            for (int c = 0; c < isText.length; c++) {
                if (isText[c]) strings[c] = new String[BATCH_ROWS];
                else longs[c] = new long[BATCH_ROWS];
            }
        }
    }

    private static final Batch END = new Batch(new boolean[0]);

    private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(4), empty = new ArrayBlockingQueue<>(6);
    private final Thread reader;
    private final Statement statement;
    private volatile boolean stopped, done;
    private volatile Exception failure;
    private Batch handedOver;
    private boolean ended;

    FetchAhead(Statement st, String sql) {
        statement = st;
        reader = new Thread(() -> read(st, sql), "fetch-ahead");
        reader.setDaemon(true);
        reader.start();
    }

    /** The next batch, or null after the last; a failure of the query is thrown here. */
    Batch next() throws SQLException {
        if (ended) return null;
        if (handedOver != null) empty.offer(handedOver);
        Batch b;
        try {
            b = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        }
        handedOver = b == END ? null : b;
        if (b == END) {
            ended = true;
            if (failure instanceof SQLException s) throw s;
            if (failure != null) throw new SQLException(failure.getMessage(), failure);
            return null;
        }
        return b;
    }

    private void read(Statement st, String sql) {
        try (ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            boolean[] isText = new boolean[md.getColumnCount()];
            for (int c = 0; c < isText.length; c++) isText[c] = !isInteger(md.getColumnType(c + 1));
            for (int i = 0; i < 6; i++) empty.add(new Batch(isText));
            Batch b = null;
            while (!stopped && rs.next()) {
                if (b == null) b = takeEmpty();
                if (b == null) return; // stopped
                int row = b.rows++;
                for (int c = 0; c < isText.length; c++) {
                    // by position: a lookup by name compares names on every call
                    if (isText[c]) b.strings[c][row] = rs.getString(c + 1);
                    else b.longs[c][row] = rs.getLong(c + 1);
                    b.nulls[c][row] = rs.wasNull();
                }
                if (b.rows == BATCH_ROWS) {
                    if (!handOver(b)) return;
                    b = null;
                }
            }
            if (b != null && b.rows > 0) handOver(b);
        } catch (Exception e) {
            failure = e;
        } finally {
            done = true;
            try {
                handOver(END); // waits for room: the queue may be full of batches still unread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Batch takeEmpty() throws InterruptedException {
        while (!stopped) {
            Batch b = empty.poll(100, TimeUnit.MILLISECONDS);
            if (b != null) {
                b.rows = 0;
                return b;
            }
        }
        return null;
    }

    private boolean handOver(Batch b) throws InterruptedException {
        while (!stopped) {
            if (full.offer(b, 100, TimeUnit.MILLISECONDS)) return true;
        }
        return false;
    }

    private static boolean isInteger(int sqlType) {
        return sqlType == Types.BIGINT || sqlType == Types.INTEGER || sqlType == Types.SMALLINT
            || sqlType == Types.TINYINT;
    }

    /** Stops the reader (the consumer may leave early, on a failure of its own) and waits for it. */
    @Override
    public void close() {
        stopped = true;
        full.clear();
        try {
            if (!done) statement.cancel(); // a query still running (a big sort) need not finish
        } catch (SQLException ignored) {
            // it ends by itself then
        }
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
