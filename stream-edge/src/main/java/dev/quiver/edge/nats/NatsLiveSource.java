package dev.quiver.edge.nats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.quiver.contract.config.PresenceConfig;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.nats.NatsBroker;
import dev.quiver.contract.nats.NatsEvents;
import dev.quiver.contract.nats.NatsLayout;
import dev.quiver.contract.nats.NatsPresence;
import dev.quiver.edge.broker.LiveFeed;
import dev.quiver.edge.broker.LiveSource;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * The live reader on JetStream (docs/nats.md, "Live delivery"): ONE ordered push consumer per pod over every event
 * subject, starting after the stream's last sequence when the pod starts. An ordered consumer is gapless by
 * construction (the client checks the consumer sequence and, on a gap or a lost connection, recreates the consumer
 * after the last stream sequence it received), so the pod reads each event once, whatever the number of topics or
 * connections, and misses none. Events of topics nobody on the pod follows are dropped after reading their subject.
 * <p>
 * Messages arrive on a NATS dispatcher thread; they are queued and handed to the source's context in runs, so a burst
 * leaves as one batch per topic. A topic is followed "from now": its position is the last stream sequence delivered.
 */
public final class NatsLiveSource implements LiveSource {

    private static final Logger LOG = Logger.getLogger(NatsLiveSource.class);

    private final Vertx vertx;
    private final NatsBroker broker;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    /** Joins and leaves of the followed presence topics. */
    private final NatsPresenceWatch presence;
    /** Messages with the {@link #generation} of the subscription that received them. */
    private final ConcurrentLinkedQueue<Arrived> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    private Context context;
    private LiveFeed feed;
    private final Set<String> followed = new HashSet<>();
    /**
     * Topics being followed whose position is still being read (does the topic have history?): their events are held
     * here, in order, and handed on after {@link LiveFeed#onFollowed}.
     */
    private final Map<String, List<EncodedEvent>> pending = new HashMap<>();
    /** While the consumer is recreated after a replaced stream: topics to follow again (true: they were followed). */
    private final Map<String, Boolean> rejoining = new LinkedHashMap<>();
    /** The last stream sequence handed to the feed (or skipped): where a topic followed now starts. */
    private long delivered;
    private String epoch;
    private volatile boolean started;
    private volatile boolean stopped;
    private int failures;
    private Dispatcher dispatcher;
    private JetStreamSubscription subscription;
    private volatile long unhealthySince = System.currentTimeMillis();
    /** Bumped when the stream was replaced: what the previous subscription delivered, and follows begun, are void. */
    private volatile int generation;
    private long epochTimer = -1;
    private boolean checking;

    private record Arrived(int generation, Message message) {
    }

    public NatsLiveSource(Vertx vertx, NatsBroker broker, NatsPresence presence, PresenceConfig presenceConfig,
            EdgeConfig config, EdgeMetrics metrics) {
        this.vertx = vertx;
        this.broker = broker;
        this.config = config;
        this.metrics = metrics;
        this.presence = new NatsPresenceWatch(vertx, broker, presence, presenceConfig);
    }

    @Override
    public void start(Context context, LiveFeed feed) {
        this.context = context;
        this.feed = feed;
        presence.start(context, feed);
        subscribe();
    }

    /** Creates the consumer after the stream's current end (blocking requests, on a worker); retried with backoff. */
    private void subscribe() {
        subscribe(() -> {
        });
    }

    /** {@link #subscribe()}, then {@code then} on the context once the consumer runs. */
    private void subscribe(Runnable then) {
        int subscribed = generation;
        vertx.<Long>executeBlocking(() -> {
            String known = broker.epoch();
            long last = broker.management().getStreamInfo(broker.layout().stream()).getStreamState()
                    .getLastSequence();
            Connection connection = broker.connection();
            Dispatcher created = connection.createDispatcher();
            JetStreamSubscription consumer = broker.jetStream().subscribe(broker.layout().eventSubjects(), created,
                    message -> arrived(subscribed, message), false, PushSubscribeOptions.builder().ordered(true)
                            .configuration(ConsumerConfiguration.builder()
                                    .deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(last + 1).build())
                            .build());
            synchronized (this) {
                dispatcher = created;
                subscription = consumer;
                epoch = known;
                if (stopped) {
                    // stop() ran while this was being created: nobody else would close it.
                    closeConsumer();
                }
            }
            return last;
        }, false).onComplete(result -> context.runOnContext(v -> {
            if (stopped) {
                return;
            }
            if (result.failed()) {
                failures++;
                metrics.readerReconnect();
                long delay = Math.min(config.readerMaxBackoff().toMillis(),
                        50L << Math.min(failures, 16)) / 2 + ThreadLocalRandom.current().nextLong(25);
                LOG.warnf("Live reader cannot read NATS (%s); trying again in %d ms", result.cause().toString(), delay);
                vertx.setTimer(delay, timer -> context.runOnContext(x -> subscribe(then)));
                return;
            }
            failures = 0;
            delivered = result.result();
            started = true;
            unhealthySince = 0;
            LOG.infof("Live reader follows the NATS stream %s from sequence %d", broker.layout().stream(),
                    delivered + 1);
            Duration check = config.epochCheckOr(Duration.ofSeconds(5));
            if (epochTimer < 0 && !check.isZero()) {
                epochTimer = vertx.setPeriodic(check.toMillis(), timer -> context.runOnContext(x -> checkEpoch()));
            }
            then.run();
        }));
    }

    /**
     * Reads the stream's epoch (one small request per interval, whatever the number of topics): a stream deleted and
     * created again is a new history. Its sequences start again at 1, so the ordered consumer, which resumes after the
     * last sequence it saw, would skip the new stream's first events and label the rest with the old epoch.
     */
    private void checkEpoch() {
        if (!started || stopped || checking) {
            return;
        }
        checking = true;
        vertx.<String>executeBlocking(() -> broker.layout().epoch(broker.management()
                .getStreamInfo(broker.layout().stream()).getCreateTime()), false)
                .onComplete(result -> context.runOnContext(v -> {
                    checking = false;
                    // A failure (NATS away, the stream not created again yet) is the connection's business; the next
                    // check looks again.
                    if (result.succeeded() && started && !stopped && !result.result().equals(epoch)) {
                        replaced();
                    }
                }));
    }

    /**
     * The stream was replaced: the consumer starts again after the new stream's end, and every followed topic is told
     * its history was replaced, with its position in the new one (topics being followed start again).
     */
    private void replaced() {
        LOG.warnf("The NATS stream %s was replaced: its history starts again; followed topics reset",
                broker.layout().stream());
        generation++;
        started = false;
        closeConsumer();
        arrived.clear();
        followed.forEach(topic -> rejoining.put(topic, true));
        pending.keySet().forEach(topic -> rejoining.putIfAbsent(topic, false));
        followed.clear();
        pending.clear();
        broker.forgetStream();
        subscribe(() -> {
            Map<String, Boolean> topics = new LinkedHashMap<>(rejoining);
            rejoining.clear();
            topics.forEach(this::follow);
        });
    }

    /** On the dispatcher thread: queue, and make sure one drain on the context is coming. */
    private void arrived(int subscribed, Message message) {
        arrived.add(new Arrived(subscribed, message));
        if (drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    /** On the context: everything queued, in order, one batch per followed topic. */
    private void drain() {
        drainScheduled.set(false);
        if (stopped) {
            arrived.clear();
            return;
        }
        NatsLayout layout = broker.layout();
        Map<String, List<EncodedEvent>> batches = new LinkedHashMap<>();
        int read = 0;
        Arrived next;
        while ((next = arrived.poll()) != null) {
            Message message = next.message();
            if (next.generation() != generation || !message.isJetStream()) {
                continue;
            }
            read++;
            long sequence = message.metaData().streamSequence();
            if (sequence <= delivered) {
                // Redelivered after the consumer was recreated: already handed on.
                continue;
            }
            delivered = sequence;
            NatsLayout.Address address = layout.address(message.getSubject());
            if (address == null) {
                continue;
            }
            List<EncodedEvent> held = pending.get(address.topic());
            if (held == null && !followed.contains(address.topic())) {
                continue;
            }
            NatsEvents.Stored stored = NatsEvents.read(layout, message.getSubject(), message.getHeaders(),
                    message.getData(), sequence, message.metaData().timestamp().toInstant().toEpochMilli());
            EncodedEvent event = EncodedEvent.of(stored.topic(), epoch, stored.id(), stored.timeMillis(),
                    stored.fields());
            if (held != null) {
                held.add(event);
            } else {
                batches.computeIfAbsent(stored.topic(), t -> new ArrayList<>()).add(event);
            }
        }
        if (read > 0) {
            // One run of pushed messages is what a read is on Redis: the broker's cost per pod, not per connection.
            metrics.redisRead("live");
            metrics.eventsRead(read);
        }
        for (Map.Entry<String, List<EncodedEvent>> batch : batches.entrySet()) {
            // The feed may unfollow a topic from within a push.
            if (followed.contains(batch.getKey())) {
                feed.onEvents(batch.getKey(), new EventBatch(batch.getValue()));
            }
        }
    }

    @Override
    public void follow(String topic) {
        follow(topic, false);
    }

    /** Follows {@code topic}; {@code replaced}: it was followed in a stream since replaced, and is told so. */
    private void follow(String topic, boolean replaced) {
        if (!started) {
            feed.onFollowFailed(topic, new IllegalStateException("NATS is unavailable"));
            return;
        }
        // From now on the topic's events are held, then the topic's last event is read: the position is the later
        // of that and what this pod has delivered (an event acknowledged before the follow but not yet read by this
        // pod is before it, as on Redis, where a follow reads the topic's cursor), or "-" when the topic has no event
        // at all (docs/protocol.md). Held events at or before the position are dropped; the rest follow the answer.
        long start = delivered;
        int following = generation;
        List<EncodedEvent> holding = new ArrayList<>();
        pending.put(topic, holding);
        NatsLayout layout = broker.layout();
        vertx.<Long>executeBlocking(() -> {
            MessageInfo last = broker.last(layout.topicFilter(topic));
            return last == null ? -1L : last.getSeq();
        }, false).onComplete(result -> context.runOnContext(v -> {
            if (following != generation || pending.get(topic) != holding) {
                // Unfollowed meanwhile (never answered), or begun again in a replaced stream.
                return;
            }
            List<EncodedEvent> held = pending.remove(topic);
            if (result.failed()) {
                presence.unwatch(topic);
                feed.onFollowFailed(topic, new IllegalStateException("NATS is unavailable", result.cause()));
                return;
            }
            followed.add(topic);
            // Before the feed hears of it: the topic's presence is subscribed to before anyone joins through it.
            presence.watch(topic);
            long last = result.result();
            long head = Math.max(start, last);
            TopicPosition position = last < 0
                    ? TopicPosition.EMPTY
                    : new TopicPosition(epoch, NatsLayout.id(head));
            if (replaced) {
                feed.onHistoryReplaced(topic, position);
            } else {
                feed.onFollowed(topic, position);
            }
            List<EncodedEvent> after = last < 0
                    ? held
                    : held.stream().filter(event -> event.id().sequence() > head).toList();
            if (!after.isEmpty() && followed.contains(topic)) {
                feed.onEvents(topic, new EventBatch(new ArrayList<>(after)));
            }
        }));
    }

    @Override
    public void unfollow(String topic) {
        presence.unwatch(topic);
        rejoining.remove(topic);
        followed.remove(topic);
        pending.remove(topic);
    }

    @Override
    public boolean healthy() {
        boolean connected = started && broker.status() == Connection.Status.CONNECTED;
        long now = System.currentTimeMillis();
        if (connected) {
            unhealthySince = 0;
            return true;
        }
        long since = unhealthySince;
        if (since == 0) {
            unhealthySince = now;
            since = now;
        }
        return now - since < config.readerReadyGrace().toMillis();
    }

    private void closeDispatcher() {
        if (dispatcher != null) {
            try {
                broker.connection().closeDispatcher(dispatcher);
            } catch (RuntimeException e) {
                LOG.debugf("closing the live reader's dispatcher: %s", e.toString());
            }
            dispatcher = null;
        }
    }

    @Override
    public void stop() {
        if (context == null) {
            return;
        }
        context.runOnContext(v -> {
            stopped = true;
            presence.stop();
            closeConsumer();
        });
    }

    private synchronized void closeConsumer() {
        if (subscription != null) {
            try {
                subscription.unsubscribe();
            } catch (RuntimeException e) {
                LOG.debugf("unsubscribing the live reader: %s", e.toString());
            }
            subscription = null;
        }
        closeDispatcher();
    }
}
