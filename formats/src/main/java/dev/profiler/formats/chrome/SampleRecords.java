package dev.profiler.formats.chrome;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the "samples" array's records as UTF-8 bytes by hand.
 *
 * Why not through Jackson's generator like the rest of the trace: a big
 * capture has tens of millions of samples, each six fields of numbers and
 * one fixed name, and the generator's per-call bookkeeping (context checks,
 * separators, a char-to-byte pass for preformatted numbers) cost ~480 ns a
 * record, a quarter of a 10M-sample conversion. Nothing here needs escaping
 * but the event name, which Jackson quotes once.
 */
final class SampleRecords {
    private static final byte[] CPU = ascii("{\"cpu\":"), TID = ascii(",\"tid\":"), TS = ascii(",\"ts\":"),
        NAME = ascii(",\"name\":"), SF = ascii(",\"sf\":"), WEIGHT = ascii(",\"weight\":");
    private static final int FLUSH_AT = 1 << 16;

    private final OutputStream out;
    private final byte[] buf = new byte[FLUSH_AT + 4096];
    private int pos;
    private boolean first = true;
    private String event;
    private byte[] quotedEvent;

    SampleRecords(OutputStream out) {
        this.out = out;
    }

    /** One record; µs with the ns as three exact decimals, like the rest of the trace. */
    void write(int cpu, long tid, long tsNsFromOrigin, String eventName, long frameNode, long weight) throws IOException {
        if (!eventName.equals(event)) {
            event = eventName;
            quotedEvent = ascii("\"" + new String(JsonStringEncoder.getInstance().quoteAsUTF8(eventName), StandardCharsets.UTF_8) + "\"");
        }
        if (pos + 160 + quotedEvent.length > buf.length) flush();
        if (!first) buf[pos++] = ',';
        first = false;
        put(CPU);
        digits(cpu);
        put(TID);
        digits(tid);
        put(TS);
        micros(tsNsFromOrigin);
        put(NAME);
        put(quotedEvent);
        if (frameNode != 0) {
            // a number: viewers look it up in stackFrames, whose keys JavaScript compares as strings
            put(SF);
            digits(frameNode);
        }
        put(WEIGHT);
        digits(weight);
        buf[pos++] = '}';
        if (pos >= FLUSH_AT) flush();
    }

    /** Hands what is buffered to the stream (before anything else writes to it). */
    void flush() throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
    }

    private void put(byte[] bytes) {
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    private void digits(long v) {
        if (v < 0) {
            buf[pos++] = '-';
            v = -v;
        }
        int end = pos + length(v), i = end;
        while (v >= 100) { // two digits a division
            int r = (int) (v % 100);
            v /= 100;
            buf[--i] = (byte) ('0' + r % 10);
            buf[--i] = (byte) ('0' + r / 10);
        }
        if (v >= 10) buf[--i] = (byte) ('0' + v % 10);
        buf[pos] = (byte) ('0' + (v >= 10 ? v / 10 : v));
        pos = end;
    }

    private static int length(long v) {
        int n = 1;
        for (long p = 10; n < 19 && v >= p; p *= 10) n++;
        return n;
    }

    private void micros(long ns) {
        if (ns < 0) {
            buf[pos++] = '-';
            ns = -ns;
        }
        digits(ns / 1000);
        long frac = ns % 1000;
        buf[pos++] = '.';
        buf[pos++] = (byte) ('0' + frac / 100);
        buf[pos++] = (byte) ('0' + frac / 10 % 10);
        buf[pos++] = (byte) ('0' + frac % 10);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
