package dev.quiver.contract.redis;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A Redis stream entry id, {@code <ms>-<seq>}: the position of an event in its topic. Its millisecond part is the
 * Redis clock at append time, which is why Quiver derives an event's {@code time} from it instead of storing one.
 *
 * @param millis milliseconds part (unsigned in Redis; never negative for ids Redis generates)
 * @param sequence sequence within the millisecond
 */
public record StreamId(long millis, long sequence) implements Comparable<StreamId> {

    /** The id before every entry: "from the beginning". */
    public static final StreamId ZERO = new StreamId(0, 0);

    private static final DateTimeFormatter RFC_3339_MILLIS = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    public StreamId {
        if (millis < 0 || sequence < 0) {
            throw new IllegalArgumentException("stream id parts must not be negative");
        }
    }

    /**
     * Parses {@code ms-seq}. Throws {@link IllegalArgumentException} for anything else, including the bare
     * {@code ms} form Redis accepts, so that a cursor always names one exact entry.
     */
    public static StreamId parse(String text) {
        int dash = text == null ? -1 : text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1 || dash > 20 || text.length() - dash > 21) {
            throw new IllegalArgumentException("not a stream id: " + text);
        }
        try {
            return new StreamId(parseDigits(text, 0, dash), parseDigits(text, dash + 1, text.length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a stream id: " + text, e);
        }
    }

    private static long parseDigits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException(text);
            }
        }
        return Long.parseLong(text, from, to, 10);
    }

    /** The event time this id stands for, RFC 3339 in UTC with milliseconds. */
    public String time() {
        return RFC_3339_MILLIS.format(Instant.ofEpochMilli(millis));
    }

    @Override
    public int compareTo(StreamId other) {
        int byMillis = Long.compare(millis, other.millis);
        return byMillis != 0 ? byMillis : Long.compare(sequence, other.sequence);
    }

    public boolean isBefore(StreamId other) {
        return compareTo(other) < 0;
    }

    @Override
    public String toString() {
        return millis + "-" + sequence;
    }
}
