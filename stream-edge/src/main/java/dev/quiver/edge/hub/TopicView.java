package dev.quiver.edge.hub;

import java.util.List;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.edge.event.EncodedEvent;

/**
 * What the pod's live reader knows of a topic when a subscriber joins: live delivery to that subscriber starts right
 * after {@code position}. Retention is not tracked here; a subscriber that needs older events than the pod holds asks
 * Redis ({@link dev.quiver.edge.broker.HistorySource}).
 *
 * @param topic the topic
 * @param position the history epoch (null: no history yet) and the last id the reader has passed
 * @param recent every event after the subscriber's cursor up to {@code position}, when the pod holds them all (a
 *        resume needs no Redis read); {@code null} when it does not, or the subscriber gave no cursor
 */
public record TopicView(String topic, TopicPosition position, List<EncodedEvent> recent) {

    /** A view without held events. */
    public TopicView(String topic, TopicPosition position) {
        this(topic, position, null);
    }
}
