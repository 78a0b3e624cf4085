package dev.quiver.edge.broker;

import io.vertx.core.Context;

/**
 * What a broker does for one edge pod: follows a set of topics live, reading each event once for the whole pod, and
 * pushes them into a {@link LiveFeed}. The set changes while it runs; how it reads (one blocking read over every
 * topic, a subscription per topic...) is the implementation's business, as are reconnects: after a disconnect it
 * resumes where it stopped, so a blip costs delay, not events.
 * <p>
 * {@link #follow} and {@link #unfollow} are called, and the feed is called back, on the context given to {@link #start}.
 * Every answer goes through the feed, in the order things happened: a follow's answer is never overtaken by the events
 * it announces, which a returned future would allow (its listener can be added after the source already moved on).
 */
public interface LiveSource {

    /** Starts the source; everything it reads goes to {@code feed}, on {@code context}. Called once. */
    void start(Context context, LiveFeed feed);

    /**
     * Starts following {@code topic} from its current end. The feed hears where that end is
     * ({@link LiveFeed#onFollowed}) before any event of the topic, or {@link LiveFeed#onFollowFailed} when the broker
     * cannot be reached. The answer may come before this method returns.
     */
    void follow(String topic);

    /**
     * Stops following {@code topic}; events of it still in flight are dropped, and an unanswered follow of it is never
     * answered.
     */
    void unfollow(String topic);

    /** Whether the source is connected to its broker, or lost it less than the configured grace ago. */
    boolean healthy();

    /** Stops reading and closes connections. */
    void stop();
}
