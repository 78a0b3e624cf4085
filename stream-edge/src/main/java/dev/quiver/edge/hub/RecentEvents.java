package dev.quiver.edge.hub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.edge.broker.LiveFeed;
import dev.quiver.edge.event.EncodedEvent;

/**
 * The last events of one followed topic, kept so that a client resuming a little behind the head (a reconnect, a pod
 * that died, the next long poll) is served from memory instead of a Redis read: in a reconnect storm every resuming
 * cursor is within the last few events of its topic (issue #18, goal 5).
 * <p>
 * It holds every event after {@code from} of one history, with no gap: the live source pushes every event after the
 * position it followed from, none twice ({@link LiveFeed}). So it can answer "the events after this cursor" exactly
 * for a cursor of that history, not before {@code from} and not past the newest event; for any other cursor it
 * answers {@code null} (not known here) and the caller reads Redis. A held event is delivered even if Redis trimmed it
 * since: the client misses nothing, which is all a retention reset protects.
 * <p>
 * Not thread-safe: owned by the hub's context.
 */
final class RecentEvents {

    private final EncodedEvent[] ring;
    private int oldest;
    private int size;
    /** The history held, or {@code null} while the topic has none. */
    private String epoch;
    /** Every event of {@link #epoch} after this id is held (or was evicted, moving it on). */
    private StreamId from;
    /** {@link EncodedEvent#heldBytes()} of the events held. */
    private long bytes;

    /**
     * @param capacity the most events held; 0 holds none and answers every cursor with {@code null}
     * @param followedAt the position the live source follows the topic from
     */
    RecentEvents(int capacity, TopicPosition followedAt) {
        this.ring = new EncodedEvent[capacity];
        restart(followedAt);
    }

    /** The topic's history was replaced: what is held belongs to the old one. */
    void restart(TopicPosition at) {
        Arrays.fill(ring, null);
        oldest = 0;
        size = 0;
        bytes = 0;
        epoch = at.epoch();
        from = at.id();
    }

    /** The next events of the topic, as the live source pushed them. */
    void append(List<EncodedEvent> events) {
        if (ring.length == 0) {
            return;
        }
        for (EncodedEvent event : events) {
            String eventEpoch = event.position().epoch();
            if (!eventEpoch.equals(epoch)) {
                // A history seen first here (the topic had none when followed): what came before this event is not
                // known to be held, so only what follows it is.
                restart(event.position());
                continue;
            }
            if (!newest().isBefore(event.id())) {
                continue;
            }
            if (size == ring.length) {
                evictOldest();
            }
            ring[(oldest + size) % ring.length] = event;
            size++;
            bytes += event.heldBytes();
        }
    }

    /**
     * The events after {@code cursor}, oldest first, if every one of them is held; {@code null} if not known here (a
     * cursor of another history, before what is held, or after the newest event).
     */
    List<EncodedEvent> after(TopicPosition cursor) {
        if (ring.length == 0 || cursor == null || cursor.epoch() == null || !cursor.epoch().equals(epoch)
                || cursor.id().isBefore(from) || newest().isBefore(cursor.id())) {
            return null;
        }
        int first = size;
        while (first > 0 && cursor.id().isBefore(at(first - 1).id())) {
            first--;
        }
        List<EncodedEvent> events = new ArrayList<>(size - first);
        for (int i = first; i < size; i++) {
            events.add(at(i));
        }
        return events;
    }

    /**
     * Lets the oldest event go (a pod-wide memory bound): what is known moves on past it. Nothing happens when nothing
     * is held.
     */
    void evictOldest() {
        if (size == 0) {
            return;
        }
        EncodedEvent evicted = ring[oldest];
        from = evicted.id();
        bytes -= evicted.heldBytes();
        ring[oldest] = null;
        oldest = (oldest + 1) % ring.length;
        size--;
    }

    /** Events held. */
    int size() {
        return size;
    }

    /** The memory the events held take, as estimated by {@link EncodedEvent#heldBytes()}. */
    long bytes() {
        return bytes;
    }

    private StreamId newest() {
        return size == 0 ? from : at(size - 1).id();
    }

    private EncodedEvent at(int index) {
        return ring[(oldest + index) % ring.length];
    }
}
