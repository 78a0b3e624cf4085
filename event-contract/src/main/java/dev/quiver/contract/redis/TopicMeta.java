package dev.quiver.contract.redis;

import dev.quiver.contract.cursor.TopicPosition;

/**
 * A topic's meta hash as read back (docs/redis-layout.md): the facts that decide whether a cursor can be honoured.
 *
 * @param epoch the history's epoch, or {@code null} when the topic has no history
 * @param cursor the id of the last event appended, or {@code null} when none was
 * @param floor the first id retention still keeps, or {@code null} when nothing was ever trimmed
 */
public record TopicMeta(String epoch, StreamId cursor, StreamId floor) {

    /** A topic that has no history. */
    public static final TopicMeta NONE = new TopicMeta(null, null, null);

    /** Where the topic's history stands: after its last event ({@link TopicPosition#EMPTY} without history). */
    public TopicPosition position() {
        return epoch == null ? TopicPosition.EMPTY : new TopicPosition(epoch, cursor == null ? StreamId.ZERO : cursor);
    }
}
