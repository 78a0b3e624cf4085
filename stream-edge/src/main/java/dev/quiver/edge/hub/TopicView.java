package dev.quiver.edge.hub;

import dev.quiver.contract.cursor.TopicPosition;

/**
 * What the pod's live reader knows of a topic when a subscriber joins: live delivery to that subscriber starts right
 * after {@code position}. Retention is not tracked here; a subscriber that needs older events asks Redis
 * ({@link dev.quiver.edge.broker.HistorySource}).
 *
 * @param topic the topic
 * @param position the history epoch (null: no history yet) and the last id the reader has passed
 */
public record TopicView(String topic, TopicPosition position) {
}
