package dev.quiver.contract.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One event as the append script publishes it on its topic's live channel ({@link TopicKeys#live()}): the stream
 * entry, the epoch it was written in, and the id of the entry before it, so that a reader can tell it missed some
 * (Pub/Sub is at most once) and fill the gap from the stream.
 * <p>
 * On the wire: netstrings ({@code <length>:<bytes>,}, length in bytes) of {@code "q1"}, the epoch, the id, the
 * previous id ({@code ""} for the first entry of a history), then the entry's fields and values in stored order.
 *
 * @param previous the id of the entry appended just before this one, or {@code null} when this one is the first
 */
public record LiveMessage(String epoch, StreamId previous, StreamEntry entry) {

    private static final String VERSION = "q1";

    /** Decodes a message; fails with {@link IllegalArgumentException} on anything the append script does not send. */
    public static LiveMessage decode(byte[] payload) {
        List<String> parts = netstrings(payload);
        if (parts.size() < 4 || !VERSION.equals(parts.get(0)) || parts.size() % 2 != 0) {
            throw new IllegalArgumentException("not a live message of this version: " + parts.size() + " parts");
        }
        StreamId id = StreamId.parse(parts.get(2));
        StreamId previous = parts.get(3).isEmpty() ? null : StreamId.parse(parts.get(3));
        return new LiveMessage(parts.get(1), previous,
                new StreamEntry(id, List.copyOf(parts.subList(4, parts.size()))));
    }

    /** The entry's stream id. */
    public StreamId id() {
        return entry.id();
    }

    /** The netstrings a message is made of; fails with {@link IllegalArgumentException} on anything else. */
    static List<String> netstrings(byte[] payload) {
        List<String> parts = new ArrayList<>();
        int at = 0;
        while (at < payload.length) {
            int colon = at;
            long length = 0;
            while (colon < payload.length && payload[colon] >= '0' && payload[colon] <= '9' && colon - at < 10) {
                length = length * 10 + (payload[colon] - '0');
                colon++;
            }
            if (colon == at || colon >= payload.length || payload[colon] != ':') {
                throw new IllegalArgumentException("not a netstring at byte " + at);
            }
            long end = colon + 1 + length;
            if (end >= payload.length || payload[(int) end] != ',') {
                throw new IllegalArgumentException("netstring at byte " + at + " runs past the message");
            }
            parts.add(new String(payload, colon + 1, (int) length, StandardCharsets.UTF_8));
            at = (int) end + 1;
        }
        return parts;
    }
}
