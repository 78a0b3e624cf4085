package dev.quiver.edge.nats;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.quiver.contract.config.PresenceConfig;
import dev.quiver.contract.event.TopicPatterns;
import dev.quiver.contract.nats.NatsBroker;
import dev.quiver.contract.nats.NatsLayout;
import dev.quiver.contract.nats.NatsPresence;
import dev.quiver.contract.nats.PresenceRecord;
import dev.quiver.contract.nats.PresenceUnion;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.edge.broker.LiveFeed;

/**
 * Joins and leaves of the presence topics a pod follows, on NATS (docs/nats.md, "Presence"): a plain NATS
 * subscription per followed presence topic receives every pod's records as they are published (at most once, as
 * presence events are on Redis), a {@link PresenceUnion} per topic turns them into joins and leaves, and a pod not
 * heard of for the presence timeout is gone with its members. A topic's records already there when it is followed are
 * read too, and make joins like any record: whichever of the read and the received copy of a record comes first makes
 * its joins, once.
 * <p>
 * Used on the live source's context; records arrive on a NATS dispatcher thread and are handed over in order.
 */
final class NatsPresenceWatch {

    private static final Logger LOG = Logger.getLogger(NatsPresenceWatch.class);

    /** One followed presence topic. */
    private static final class Watched {

        final PresenceUnion union = new PresenceUnion();
    }

    private final Vertx vertx;
    private final NatsBroker broker;
    private final NatsPresence presence;
    private final PresenceConfig config;
    private final TopicPatterns patterns;
    private final Map<String, Watched> watched = new HashMap<>();
    private final Map<String, Subscription> subscribed = new HashMap<>();
    private Context context;
    private LiveFeed feed;
    private Dispatcher dispatcher;
    private long timer = -1;
    /** The connection was down at the last expiry check: nobody's silence since means anything. */
    private boolean wasDisconnected;

    NatsPresenceWatch(Vertx vertx, NatsBroker broker, NatsPresence presence, PresenceConfig config) {
        this.vertx = vertx;
        this.broker = broker;
        this.presence = presence;
        this.config = config;
        this.patterns = config.patterns();
    }

    void start(Context on, LiveFeed to) {
        this.context = on;
        this.feed = to;
        if (!patterns.isEmpty()) {
            timer = vertx.setPeriodic(config.refreshInterval().toMillis(), t -> context.runOnContext(v -> expire()));
        }
    }

    /** Follows {@code topic}'s presence when it has presence (a no-op otherwise, and when already watched). */
    void watch(String topic) {
        if (!patterns.matches(topic) || watched.containsKey(topic)) {
            return;
        }
        Watched watch = new Watched();
        watched.put(topic, watch);
        NatsLayout layout = broker.layout();
        try {
            if (dispatcher == null) {
                dispatcher = broker.connection().createDispatcher();
            }
            subscribed.put(topic, dispatcher.subscribe(layout.presenceFilter(topic),
                    message -> arrived(topic, message)));
        } catch (RuntimeException e) {
            // Followed again later, it is tried again.
            LOG.debugf("presence of %s not watched: %s", topic, e.toString());
            watched.remove(topic);
            return;
        }
        vertx.<Map<String, PresenceRecord>>executeBlocking(() -> presence.records(topic), false)
                .onComplete(result -> context.runOnContext(v -> {
                    if (watched.get(topic) != watch || result.failed()) {
                        return;
                    }
                    // The records already there make joins too: the topic was just followed, so every watcher on
                    // this pod is new, and a join of a member it already lists changes nothing (docs/presence.md).
                    // A record read here and also received changes nothing the second time (same version), so
                    // whichever comes first makes the join, once.
                    long now = nowMillis();
                    result.result().forEach((pod, record) -> apply(topic, watch, pod, record, now));
                }));
    }

    /** Stops following {@code topic}'s presence. */
    void unwatch(String topic) {
        if (watched.remove(topic) == null) {
            return;
        }
        Subscription subscription = subscribed.remove(topic);
        if (subscription != null && dispatcher != null) {
            try {
                dispatcher.unsubscribe(subscription);
            } catch (RuntimeException e) {
                LOG.debugf("unsubscribing presence of %s: %s", topic, e.toString());
            }
        }
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        watched.clear();
        subscribed.clear();
        if (dispatcher != null) {
            try {
                broker.connection().closeDispatcher(dispatcher);
            } catch (RuntimeException e) {
                LOG.debugf("closing the presence dispatcher: %s", e.toString());
            }
            dispatcher = null;
        }
    }

    /** On the dispatcher thread. */
    private void arrived(String topic, Message message) {
        String pod = broker.layout().presencePod(message.getSubject());
        if (pod == null) {
            return;
        }
        PresenceRecord record;
        try {
            record = PresenceRecord.decode(message.getData());
        } catch (IllegalArgumentException foreign) {
            return;
        }
        long seen = nowMillis();
        context.runOnContext(v -> {
            Watched watch = watched.get(topic);
            if (watch != null) {
                apply(topic, watch, pod, record, seen);
            }
        });
    }

    private void apply(String topic, Watched watch, String pod, PresenceRecord record, long seenMillis) {
        List<PresenceLayout.Change> changes = watch.union.apply(pod, record, seenMillis);
        if (!changes.isEmpty()) {
            feed.onPresence(topic, changes);
        }
    }

    /** Monotonic: a wall-clock step must not age every pod at once. */
    private static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * Pods silent for longer than the presence timeout died: their members leave. Not while this pod cannot hear
     * anyone (its connection is down), and not at the first check after: every pod's silence then is this pod's.
     */
    private void expire() {
        long now = nowMillis();
        if (broker.status() != Connection.Status.CONNECTED) {
            wasDisconnected = true;
            return;
        }
        if (wasDisconnected) {
            wasDisconnected = false;
            watched.values().forEach(watch -> watch.union.heardAll(now));
            return;
        }
        long timeout = config.timeout().toMillis();
        for (Map.Entry<String, Watched> entry : watched.entrySet()) {
            List<PresenceLayout.Change> changes = entry.getValue().union.expire(now, timeout);
            if (!changes.isEmpty()) {
                feed.onPresence(entry.getKey(), changes);
            }
        }
    }
}
