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

    /** The wire form inside a composite cursor: {@code <epoch>:<id>}, or {@code -} for {@link #EMPTY}. */
    String wire() {
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
