package dev.quiver.edge.hub;

import java.util.List;

import io.vertx.core.Context;

import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.PresenceBatch;

/**
 * A local consumer of topics: an SSE connection, a waiting long poll. The hub calls it on {@link #context()}, so an
 * implementation touches its state from one thread only.
 */
public interface Subscriber {

    /** The event loop this subscriber lives on; its connection's. */
    Context context();

    /**
     * New events of {@code topic}, in order. Every event after the position the subscriber joined at comes here; so may
     * events at or before it, and events that arrive before the join is answered (a follow answered at once, a batch
     * already on its way): a subscriber keeps only what is newer than what it has.
     */
    void onEvents(String topic, List<EncodedEvent> events);

    /**
     * The topic's history was replaced (Redis lost it): events after {@code view} belong to a new epoch, and what the
     * subscriber had is no longer comparable. It must tell its client to reload.
     */
    void onHistoryReplaced(TopicView view);

    /** Joins and leaves in a topic's presence; every subscriber hears them, those that asked pass them on. */
    default void onPresence(PresenceBatch batch) {
    }
}
