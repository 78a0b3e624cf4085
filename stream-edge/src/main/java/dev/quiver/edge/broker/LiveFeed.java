package dev.quiver.edge.broker;

import java.util.List;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.edge.event.EventBatch;

/**
 * Where a {@link LiveSource} pushes what it reads. Called on the context the source was started on, one call at a
 * time; an implementation must not block.
 */
public interface LiveFeed {

    /**
     * {@code topic} is followed: every event after {@code position} comes through {@link #onEvents}. Called once per
     * {@link LiveSource#follow}, before any event of the topic.
     */
    void onFollowed(String topic, TopicPosition position);

    /** {@code topic} could not be followed (the broker cannot be reached); the source forgot it. */
    void onFollowFailed(String topic, Throwable cause);

    /**
     * The next events of a followed topic, in stream order and of one history: every event after the last one pushed
     * (or after the position {@link #onFollowed} gave), none twice.
     */
    void onEvents(String topic, EventBatch events);

    /**
     * The topic's history was replaced (its epoch changed: Redis lost it, or its keys were deleted). Events after
     * {@code position} follow; subscribers must reload.
     */
    void onHistoryReplaced(String topic, TopicPosition position);

    /**
     * Joins and leaves of a followed topic's presence (docs/presence.md), at most once: a source that lost its
     * subscription for a while may miss some, which clients repair by reading the member list again.
     */
    default void onPresence(String topic, List<PresenceLayout.Change> changes) {
    }
}
