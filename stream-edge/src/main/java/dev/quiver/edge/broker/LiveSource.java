package dev.quiver.edge.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;

import dev.quiver.contract.cursor.TopicPosition;

/**
 * What a broker does for one edge pod: follows a set of topics live, reading each event once for the whole pod, and
 * pushes them into a {@link LiveFeed}. The set changes while it runs; how it reads (one blocking read over every
 * topic, a subscription per topic...) is the implementation's business, as are reconnects: after a disconnect it
 * resumes where it stopped, so a blip costs delay, not events.
 * <p>
 * {@link #follow} and {@link #unfollow} are called, and futures complete, on the context given to {@link #start}.
 */
public interface LiveSource {

    /** Starts the source; everything it reads goes to {@code feed}, on {@code context}. Called once. */
    void start(Context context, LiveFeed feed);

    /**
     * Starts following {@code topic} from its current end. The future answers where that end is: every later event
     * will reach the feed. It fails when the broker cannot be reached.
     */
    Future<TopicPosition> follow(String topic);

    /** Stops following {@code topic}; events of it still in flight are dropped. */
    void unfollow(String topic);

    /** Whether the source is connected to its broker, or lost it less than the configured grace ago. */
    boolean healthy();

    /** Stops reading and closes connections. */
    void stop();
}
