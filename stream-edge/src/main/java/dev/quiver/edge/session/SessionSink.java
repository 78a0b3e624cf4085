package dev.quiver.edge.session;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.event.PresenceBatch;

/**
 * What a transport (an SSE stream, a long poll, a WebSocket subscription) does with what its {@link Session} decides:
 * the only part of a subscription that differs between transports. Called on the session's context.
 */
public interface SessionSink {

    /** The hub accepted the session; nothing was emitted yet. */
    default void joined() {
    }

    /**
     * Whether {@code topic} resumes exactly where the client asked ({@code recovered}); called once per topic before
     * any of its events or its reset. Delivery starts after {@code position}.
     */
    default void decided(String topic, boolean recovered, TopicPosition position) {
    }

    /** Every topic is live; called once. */
    default void prepared() {
    }

    /** Delivers one event; the session's cursor already includes it. */
    void event(EncodedEvent event);

    /** Whether {@link #batch} takes a live batch whole (instead of {@link #event} per event). */
    default boolean takesBatches() {
        return false;
    }

    /** Delivers a whole live batch; the session's cursor already includes its last event. */
    default void batch(EventBatch batch) {
        throw new UnsupportedOperationException("takesBatches() is false");
    }

    /** Tells the client that {@code topic} cannot be resumed; it continues live, and the cursor already moved. */
    void reset(ResetNotice notice, ResetReason reason);

    /** Too many live events queued during a replay: the client is too slow; close it. */
    void overflow();

    /** Redis failed while preparing; close with a retryable signal. */
    void failed(Throwable cause);

    /** Whether the client asked for its topics' joins and leaves. */
    default boolean wantsPresence() {
        return false;
    }

    /** Delivers joins and leaves (only called when {@link #wantsPresence()}); they never move the cursor. */
    default void presence(PresenceBatch batch) {
    }

    /** Whether a replay may read another page (long polls answer with what they have). */
    default boolean wantsMoreReplay() {
        return true;
    }
}
