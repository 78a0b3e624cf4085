package dev.quiver.contract.cursor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The position of a connection in each of its topics, as one string: the SSE {@code id}, the long-polling
 * {@code cursor}, and what {@code Last-Event-ID} sends back to any pod (docs/protocol.md).
 * <p>
 * Form: {@code <tag>.<p1>,<p2>,...}. The positions follow the topics in sorted order; {@code <tag>} is 8 hex digits
 * of CRC-32 over those sorted topic names, so a cursor presented with another set of topics is recognised as not
 * belonging to it instead of being applied to the wrong topics. A position is {@code <epoch>:<ms>-<seq>}, or
 * {@code -} for a topic that had no history yet.
 */
public final class CompositeCursor {

    private CompositeCursor() {
    }

    /** The tag of a sorted topic list. */
    public static String tag(List<String> sortedTopics) {
        CRC32 crc = new CRC32();
        for (String topic : sortedTopics) {
            crc.update(topic.getBytes(StandardCharsets.UTF_8));
            crc.update('\n');
        }
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /** Encodes {@code positions} (topic to position); every topic of the connection must be present. */
    public static String encode(SortedMap<String, TopicPosition> positions) {
        StringBuilder text = new StringBuilder(12 + positions.size() * 32);
        text.append(tag(new ArrayList<>(positions.keySet()))).append('.');
        boolean first = true;
        for (TopicPosition position : positions.values()) {
            if (!first) {
                text.append(',');
            }
            text.append(position.wire());
            first = false;
        }
        return text.toString();
    }

    /** The composite form for a connection with exactly one topic. */
    public static String single(String topic, TopicPosition position) {
        return tag(List.of(topic)) + "." + position.wire();
    }

    /**
     * Decodes a composite cursor for a connection on {@code sortedTopics}. Throws {@link IllegalArgumentException}
     * when it is malformed or was made for another set of topics.
     */
    public static SortedMap<String, TopicPosition> decode(String text, List<String> sortedTopics) {
        int dot = text == null ? -1 : text.indexOf('.');
        if (dot != 8) {
            throw new IllegalArgumentException("not a Quiver stream cursor");
        }
        if (!text.substring(0, dot).equals(tag(sortedTopics))) {
            throw new IllegalArgumentException("the cursor was made for another set of topics");
        }
        String[] parts = text.substring(dot + 1).split(",", -1);
        if (parts.length != sortedTopics.size()) {
            throw new IllegalArgumentException("the cursor does not hold one position per topic");
        }
        SortedMap<String, TopicPosition> positions = new TreeMap<>();
        for (int i = 0; i < parts.length; i++) {
            positions.put(sortedTopics.get(i), TopicPosition.parseWire(parts[i]));
        }
        return positions;
    }
}
