package dev.quiver.contract.cursor;

import dev.quiver.contract.redis.StreamId;

/**
 * Where a reader stands in one topic: after event {@code id} of history {@code epoch}. A {@code null} epoch means the
 * topic had no history yet when the position was taken, so everything it holds now came after it.
 *
 * @param epoch the history incarnation, or {@code null}
 * @param id the last event seen ({@link StreamId#ZERO}: none)
 */
public record TopicPosition(String epoch, StreamId id) {

    /** "Nothing yet, and the topic did not exist". */
    public static final TopicPosition EMPTY = new TopicPosition(null, StreamId.ZERO);

    public TopicPosition {
        if (id == null) {
            throw new IllegalArgumentException("id is required");
        }
        if (epoch != null && !TopicCursor.isEpoch(epoch)) {
            throw new IllegalArgumentException("not an epoch: " + epoch);
        }
    }

    /**
     * Parses a topic cursor as clients send it: {@code <epoch>:<ms>-<seq>}, or {@code -} for "before anything, and
     * the topic had no history" (the cursor of an empty topic's snapshot). {@link IllegalArgumentException} otherwise.
     */
    public static TopicPosition parseCursor(String text) {
        return parseWire(text);
    }

    /** The wire form: {@code <epoch>:<id>}, or {@code -} for {@link #EMPTY}. */
    public String wire() {
        return epoch == null ? "-" : epoch + ":" + id;
    }

    static TopicPosition parseWire(String text) {
        if ("-".equals(text)) {
            return EMPTY;
        }
        TopicCursor cursor = TopicCursor.parse(text);
        return new TopicPosition(cursor.epoch(), cursor.position());
    }
}
