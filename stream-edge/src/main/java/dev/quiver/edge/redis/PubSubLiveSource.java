package dev.quiver.edge.redis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.LiveMessage;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.contract.redis.TopicLayout;
import dev.quiver.contract.redis.TopicMeta;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.broker.LiveFeed;
import dev.quiver.edge.broker.LiveSource;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.loop.EventLoops;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * The live reader over Pub/Sub, for standalone Redis, Sentinel and Redis Cluster alike: the append script publishes
 * every event on its topic's channel ({@link TopicKeys#live()}, sharded Pub/Sub where Redis has it), and this reader
 * subscribes to the channels of the topics the pod follows, on the node that owns each one, with one connection per
 * node. Joining or leaving a topic costs one subscription command and, on joining, one small read; an event costs
 * Redis one message per subscribed pod, whatever the number of topics or connections.
 * <p>
 * Pub/Sub is at most once; the stream makes delivery exactly once. Each message names the entry before it, so a
 * reader that missed some (a dropped message, a reconnect, a moved slot) sees the gap and reads it from the stream
 * before going on ({@link LiveStep}); after any resubscription it reads from its last id to the stream's end. A page of
 * history carries the topic's facts, so a history that was replaced, lost writes in a failover or was trimmed past
 * what was read is told to the feed as replaced, never skipped in silence ({@link LiveStep#lost}).
 * <p>
 * All state lives on the context given to {@link #start}.
 */
public final class PubSubLiveSource implements LiveSource {

    private static final Logger LOG = Logger.getLogger(PubSubLiveSource.class);
    /** Live messages held for a topic while its history is read; beyond it they are dropped and read back instead. */
    private static final int MAX_PENDING = 10_000;
    /** Topics whose epoch is checked at once; the rest of a round waits for their answers. */
    private static final int CHECK_CHUNK = 256;

    /** One followed topic: where delivering it stands. */
    private static final class Followed {

        final String topic;
        final String channel;
        String epoch;
        StreamId last = StreamId.ZERO;
        /** The node connection its subscription is on (or was sent on); {@code null} while it is being routed. */
        Link link;
        /** Redis confirmed the subscription on {@link #link}. */
        boolean subscribed;
        /** The feed heard {@link LiveFeed#onFollowed}. */
        boolean announced;
        /** A read of its history is in flight; live messages wait in {@link #pending}. */
        boolean busy;
        /** The stream must be read from {@link #last} to its end before live messages go on (a resubscription). */
        boolean catchUp;
        /** Listed in {@link PubSubLiveSource#received}, to be drained once the messages at hand are all in. */
        boolean received;
        final ArrayDeque<LiveMessage> pending = new ArrayDeque<>();

        Followed(String topic) {
            this.topic = topic;
            this.channel = new TopicKeys(topic).live();
        }
    }

    /** A subscription command sent and not yet confirmed: Redis confirms them in the order it received them. */
    private record Sent(boolean subscribe, String channel, Followed followed) {
    }

    /** The subscriber connection to one node; it carries every subscription the pod has there. */
    private static final class Link {

        final String node;
        RedisConnection connection;
        /** Sharded Pub/Sub ({@code SSUBSCRIBE}); plain {@code SUBSCRIBE} on a Redis without it. */
        boolean sharded = true;
        final Map<String, Followed> channels = new HashMap<>();
        final ArrayDeque<Sent> sent = new ArrayDeque<>();

        Link(String node) {
            this.node = node;
        }
    }

    private final Vertx vertx;
    private final Redis shared;
    private final SubscriberNodes nodes;
    private final HistorySource history;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final boolean singleNode;

    private Context context;
    private LiveFeed feed;
    private final Map<String, Followed> topics = new HashMap<>();
    private final Map<String, Link> links = new HashMap<>();
    /** Topics waiting for a topology read before they can be subscribed again. */
    private final Set<Followed> unrouted = new LinkedHashSet<>();
    /** Topics that got messages since the last flush; drained together so that a burst goes out as one batch. */
    private final List<Followed> received = new ArrayList<>();
    private boolean routeScheduled;
    private boolean topologyKnown;
    private int failures;
    private boolean stopped;
    private long epochTimer = -1;
    private boolean checking;
    private volatile long unhealthySince = System.currentTimeMillis();

    /**
     * @param shared the pod's shared client, for the small reads that position a topic
     * @param nodes where subscriptions go
     * @param singleNode whether {@code nodes} is one node, kept connected even while nothing is followed so that
     *        readiness tells whether Redis can be reached
     */
    PubSubLiveSource(Vertx vertx, Redis shared, SubscriberNodes nodes, boolean singleNode, HistorySource history,
            EdgeConfig config, EdgeMetrics metrics) {
        this.vertx = vertx;
        this.shared = shared;
        this.nodes = nodes;
        this.singleNode = singleNode;
        this.history = history;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void start(Context context, LiveFeed feed) {
        this.context = context;
        this.feed = feed;
        context.runOnContext(v -> scheduleRoute(0));
        Duration check = config.epochCheckOr(Duration.ZERO);
        if (!check.isZero()) {
            epochTimer = vertx.setPeriodic(check.toMillis(),
                    timer -> context.runOnContext(v -> checkEpochs()));
        }
    }

    @Override
    public void stop() {
        if (context == null) {
            return;
        }
        vertx.cancelTimer(epochTimer);
        context.runOnContext(v -> {
            stopped = true;
            for (Link link : links.values()) {
                if (link.connection != null) {
                    link.connection.close();
                }
            }
            links.clear();
            nodes.close();
        });
    }

    @Override
    public boolean healthy() {
        long since = unhealthySince;
        return since == 0 || System.currentTimeMillis() - since < config.readerReadyGrace().toMillis();
    }

    @Override
    public void follow(String topic) {
        Followed followed = new Followed(topic);
        topics.put(topic, followed);
        route(followed);
    }

    @Override
    public void unfollow(String topic) {
        Followed followed = topics.remove(topic);
        if (followed == null) {
            return;
        }
        unrouted.remove(followed);
        detach(followed);
    }

    /** Takes {@code followed} off its node, unsubscribing it there when a subscription was sent. */
    private void detach(Followed followed) {
        Link link = followed.link;
        followed.link = null;
        followed.subscribed = false;
        if (link == null || link.channels.get(followed.channel) != followed) {
            return;
        }
        link.channels.remove(followed.channel);
        if (link.connection != null) {
            link.sent.add(new Sent(false, followed.channel, followed));
            link.connection.send(Request.cmd(link.sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE)
                    .arg(followed.channel));
        }
    }

    // ---- routing: which node each subscription goes to ----------------------------------------------------------

    private void route(Followed followed) {
        String node = nodes.nodeFor(followed.channel);
        if (node == null) {
            unrouted.add(followed);
            scheduleRoute(0);
            return;
        }
        Link link = links.get(node);
        boolean fresh = link == null;
        if (fresh) {
            link = new Link(node);
            links.put(node, link);
        }
        // On the link before connecting: a connect that fails at once (its future already failed when connect() looks)
        // runs lost() before connect() returns, and only the topics on the link are routed again. A topic put on the
        // link after that would sit on a dead link, never subscribed, while the reader reports itself healthy.
        followed.link = link;
        followed.subscribed = false;
        link.channels.put(followed.channel, followed);
        if (fresh) {
            connect(link);
        } else if (link.connection != null) {
            subscribe(link, followed);
        }
    }

    /** Reads the topology after {@code delay} ms and routes every topic waiting for it; one read for all of them. */
    private void scheduleRoute(long delay) {
        if (routeScheduled || stopped) {
            return;
        }
        routeScheduled = true;
        Handler<Long> run = timer -> context.runOnContext(v -> {
            routeScheduled = false;
            onContext(nodes.refresh(), refreshed -> {
                if (stopped) {
                    return;
                }
                if (refreshed.failed()) {
                    LOG.warnf("Live reader cannot read the Redis topology: %s", refreshed.cause().toString());
                    failed();
                    failUnannounced(unrouted, refreshed.cause());
                    scheduleRoute(backoff());
                    return;
                }
                topologyKnown = true;
                List<Followed> waiting = new ArrayList<>(unrouted);
                unrouted.clear();
                if (singleNode && !links.containsKey(SingleNode.NODE)) {
                    Link primary = new Link(SingleNode.NODE);
                    links.put(SingleNode.NODE, primary);
                    connect(primary);
                }
                for (Followed followed : waiting) {
                    if (topics.get(followed.topic) == followed) {
                        route(followed);
                    }
                }
                updateHealth();
            });
        });
        if (delay <= 0) {
            run.handle(-1L);
        } else {
            vertx.setTimer(delay, run);
        }
    }

    private long backoff() {
        return Backoff.delay(Math.max(1, failures), config.readerMaxBackoff());
    }

    private void failed() {
        failures++;
        metrics.readerReconnect();
        updateHealth();
    }

    /** Topics not yet announced are given up (the feed hears it, its subscribers fail over); the rest wait. */
    private void failUnannounced(Iterable<Followed> candidates, Throwable cause) {
        List<Followed> failed = new ArrayList<>();
        for (Followed followed : candidates) {
            if (!followed.announced && topics.get(followed.topic) == followed) {
                failed.add(followed);
            }
        }
        for (Followed followed : failed) {
            topics.remove(followed.topic);
            unrouted.remove(followed);
            detach(followed);
            feed.onFollowFailed(followed.topic, new IllegalStateException("Redis is unavailable", cause));
        }
    }

    private void updateHealth() {
        boolean ok = topologyKnown && unrouted.isEmpty();
        for (Link link : links.values()) {
            ok &= link.connection != null;
        }
        if (singleNode) {
            ok &= links.containsKey(SingleNode.NODE);
        }
        if (ok) {
            unhealthySince = 0;
        } else if (unhealthySince == 0) {
            unhealthySince = System.currentTimeMillis();
        }
    }

    // ---- node connections ---------------------------------------------------------------------------------------

    private void connect(Link link) {
        Duration timeout = config.readerConnectTimeout();
        long deadline = vertx.setTimer(timeout.toMillis(), timer -> context.runOnContext(v -> {
            if (!stopped && links.get(link.node) == link && link.connection == null) {
                // The late answer, if one ever comes, finds the link replaced and closes its connection.
                lost(link, new TimeoutException("no answer within " + timeout.toMillis() + " ms"));
            }
        }));
        onContext(nodes.connect(link.node), connected -> {
            vertx.cancelTimer(deadline);
            if (stopped || links.get(link.node) != link) {
                if (connected.succeeded()) {
                    connected.result().close();
                }
                return;
            }
            if (connected.failed()) {
                lost(link, connected.cause());
                return;
            }
            RedisConnection connection = connected.result();
            connection.handler(message -> onLoop(() -> received(link, connection, message)));
            connection.exceptionHandler(e -> onLoop(() -> {
                if (link.connection == connection) {
                    lost(link, e);
                }
            }));
            connection.endHandler(v -> onLoop(() -> {
                if (link.connection == connection) {
                    lost(link, null);
                }
            }));
            link.connection = connection;
            failures = 0;
            for (Followed followed : new ArrayList<>(link.channels.values())) {
                if (link.connection != connection) {
                    // A send failed at once and lost() took the link down: its topics are being routed again.
                    break;
                }
                subscribe(link, followed);
            }
            updateHealth();
        });
    }

    /**
     * A node connection failed or could not be opened: its topics are routed again after a backoff, from a fresh read
     * of the topology (on a cluster the node may be gone, its slots served by another), and each catches up from its
     * last id once subscribed again.
     */
    private void lost(Link link, Throwable cause) {
        if (links.get(link.node) != link) {
            return;
        }
        links.remove(link.node);
        if (link.connection != null) {
            link.connection.close();
            link.connection = null;
        }
        LOG.warnf("Live reader lost Redis node %s (%s); subscribing again", link.node,
                cause == null ? "closed" : cause.toString());
        List<Followed> orphans = new ArrayList<>(link.channels.values());
        link.channels.clear();
        link.sent.clear();
        failUnannounced(orphans, cause);
        for (Followed followed : orphans) {
            if (topics.get(followed.topic) == followed) {
                followed.link = null;
                followed.subscribed = false;
                unrouted.add(followed);
            }
        }
        failed();
        scheduleRoute(backoff());
    }

    private void subscribe(Link link, Followed followed) {
        link.sent.add(new Sent(true, followed.channel, followed));
        onContext(link.connection.send(Request.cmd(link.sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE)
                .arg(followed.channel)), sent -> {
                    if (sent.failed() && link.connection != null) {
                        lost(link, sent.cause());
                    }
                });
    }

    /** Everything a subscriber connection receives: confirmations, errors and messages, in the order Redis sent them. */
    private void received(Link link, RedisConnection connection, Response message) {
        if (link.connection != connection || stopped) {
            return;
        }
        if (message.type() == ResponseType.ERROR) {
            rejected(link, message.toString());
            return;
        }
        if (message.size() < 3) {
            return;
        }
        String kind = message.get(0).toString();
        String channel = message.get(1).toString();
        switch (kind) {
            case "smessage", "message" -> onMessage(link, channel, message.get(2).toBytes());
            case "ssubscribe", "subscribe" -> confirmed(link, channel);
            case "sunsubscribe", "unsubscribe" -> unsubscribed(link, channel);
            default -> LOG.debugf("ignored %s on the live channel connection", kind);
        }
    }

    private void confirmed(Link link, String channel) {
        Sent sent = link.sent.peek();
        if (sent == null || !sent.subscribe() || !sent.channel().equals(channel)) {
            return;
        }
        link.sent.poll();
        Followed followed = sent.followed();
        if (followed.link != link || link.channels.get(channel) != followed || followed.subscribed) {
            return;
        }
        followed.subscribed = true;
        if (followed.announced) {
            // Resubscribed after a reconnect or a moved slot: whatever was published meanwhile is in the stream.
            followed.catchUp = true;
            drain(followed);
        } else {
            position(followed);
        }
    }

    /**
     * An unsubscription: the answer to one this reader sent, or Redis's own when the channel's slot left the node (a
     * reshard, a failover): then the topic is routed again and catches up.
     */
    private void unsubscribed(Link link, String channel) {
        Sent sent = link.sent.peek();
        if (sent != null && !sent.subscribe() && sent.channel().equals(channel)) {
            link.sent.poll();
            return;
        }
        Followed followed = link.channels.get(channel);
        if (followed == null || !followed.subscribed) {
            return;
        }
        LOG.infof("Redis moved %s away from %s (a reshard or a failover); subscribing again", channel, link.node);
        link.channels.remove(channel);
        followed.link = null;
        followed.subscribed = false;
        unrouted.add(followed);
        scheduleRoute(ThreadLocalRandom.current().nextLong(5, 50));
    }

    /** An error answers the oldest unconfirmed command: a moved slot ({@code MOVED}), or Redis without sharding. */
    private void rejected(Link link, String error) {
        Sent sent = link.sent.poll();
        if (sent == null) {
            LOG.warnf("Redis node %s: %s", link.node, error);
            return;
        }
        Followed followed = sent.followed();
        if (!sent.subscribe() || followed.link != link || link.channels.get(sent.channel()) != followed) {
            return;
        }
        if (link.sharded && error.toLowerCase().contains("unknown command")) {
            LOG.infof("Redis node %s has no sharded Pub/Sub; using SUBSCRIBE", link.node);
            link.sharded = false;
            subscribe(link, followed);
            return;
        }
        LOG.debugf("Redis node %s refused to subscribe %s: %s", link.node, sent.channel(), error);
        link.channels.remove(sent.channel());
        followed.link = null;
        unrouted.add(followed);
        scheduleRoute(ThreadLocalRandom.current().nextLong(5, 50));
    }

    // ---- delivering ---------------------------------------------------------------------------------------------

    /** Where a newly subscribed topic starts: its current end, read once the subscription is active. */
    private void position(Followed followed) {
        followed.busy = true;
        metrics.redisRead("live");
        onContext(shared.send(TopicLayout.metaRead(followed.topic)), result -> {
            if (topics.get(followed.topic) != followed) {
                return;
            }
            followed.busy = false;
            if (result.failed()) {
                LOG.debugf("cannot follow %s: %s", followed.topic, result.cause());
                topics.remove(followed.topic);
                detach(followed);
                feed.onFollowFailed(followed.topic,
                        new IllegalStateException("Redis is unavailable", result.cause()));
                return;
            }
            TopicMeta meta = TopicLayout.meta(result.result());
            followed.epoch = meta.epoch();
            followed.last = meta.cursor() == null ? StreamId.ZERO : meta.cursor();
            followed.announced = true;
            // The feed knows the topic's position before any of its events.
            feed.onFollowed(followed.topic, new TopicPosition(followed.epoch, followed.last));
            drain(followed);
        });
    }

    private void onMessage(Link link, String channel, byte[] payload) {
        Followed followed = link.channels.get(channel);
        if (followed == null || topics.get(followed.topic) != followed) {
            return;
        }
        if (PresenceLayout.isPresence(payload)) {
            if (followed.announced) {
                try {
                    feed.onPresence(followed.topic, PresenceLayout.changes(payload));
                } catch (IllegalArgumentException e) {
                    LOG.warnf("ignored a malformed presence message on %s: %s", channel, e.getMessage());
                }
            }
            return;
        }
        LiveMessage message;
        try {
            message = LiveMessage.decode(payload);
        } catch (IllegalArgumentException e) {
            LOG.warnf("ignored a malformed message on %s: %s", channel, e.getMessage());
            return;
        }
        if (followed.pending.size() >= MAX_PENDING) {
            // Held too long behind a read: drop them all and read them back from the stream instead.
            followed.pending.clear();
            followed.catchUp = true;
        }
        followed.pending.add(message);
        if (!followed.received) {
            followed.received = true;
            if (received.isEmpty()) {
                // Runs once the messages read from the socket together are all handled: they leave as one batch.
                context.runOnContext(v -> flushReceived());
            }
            received.add(followed);
        }
    }

    private void flushReceived() {
        List<Followed> due = new ArrayList<>(received);
        received.clear();
        for (Followed followed : due) {
            followed.received = false;
            if (topics.get(followed.topic) == followed) {
                drain(followed);
            }
        }
    }

    /** Delivers what can be delivered now: live messages in order, or a read of the stream where they leave a gap. */
    private void drain(Followed followed) {
        if (!followed.announced || !followed.subscribed) {
            return;
        }
        List<EncodedEvent> batch = new ArrayList<>();
        // The feed may unfollow the topic from within a push: then what is left of it is dropped.
        while (!followed.busy && topics.get(followed.topic) == followed) {
            if (followed.catchUp) {
                followed.catchUp = false;
                push(followed, batch);
                fill(followed, followed.last, null, null);
                return;
            }
            LiveMessage message = followed.pending.poll();
            if (message == null) {
                break;
            }
            LiveStep step = LiveStep.next(followed.epoch, followed.last, message);
            if (step instanceof LiveStep.Push) {
                if (followed.epoch == null) {
                    followed.epoch = message.epoch();
                }
                batch.add(EncodedEvent.of(followed.topic, followed.epoch, message.id(), message.entry().fields()));
                followed.last = message.id();
            } else if (step instanceof LiveStep.Fill fill) {
                push(followed, batch);
                metrics.liveGap();
                fill(followed, fill.after(), fill.upTo(), null);
            } else if (step instanceof LiveStep.Replaced) {
                push(followed, batch);
                fill(followed, followed.last, null, message);
            }
        }
        push(followed, batch);
    }

    /**
     * Reads the stream after {@code after} up to {@code upTo} ({@code null}: its end) page by page, pushes it, then
     * delivers on. {@code trigger} is a message of another epoch that made the read: when the page shows its history
     * replaced the one followed, subscribers are reset to just before it and it follows.
     */
    private void fill(Followed followed, StreamId after, StreamId upTo, LiveMessage trigger) {
        followed.busy = true;
        onContext(history.range(followed.topic, after, upTo, config.readBatch()), result -> {
            if (topics.get(followed.topic) != followed) {
                return;
            }
            if (result.failed()) {
                LOG.debugf("cannot read %s's history: %s", followed.topic, result.cause());
                vertx.setTimer(backoff(), timer -> context.runOnContext(v -> {
                    if (topics.get(followed.topic) == followed) {
                        fill(followed, followed.last, upTo, trigger);
                    }
                }));
                return;
            }
            HistorySource.Page page = result.result();
            TopicMeta meta = page.meta();
            if (LiveStep.lost(followed.epoch, followed.last, meta)) {
                TopicPosition position = meta.position();
                if (trigger != null && trigger.epoch().equals(meta.epoch())) {
                    // The message belongs to the new history: start right before it, so it is delivered.
                    position = new TopicPosition(meta.epoch(),
                            trigger.previous() == null ? StreamId.ZERO : trigger.previous());
                    followed.pending.addFirst(trigger);
                }
                followed.epoch = position.epoch();
                followed.last = position.id() == null ? StreamId.ZERO : position.id();
                followed.busy = false;
                feed.onHistoryReplaced(followed.topic, position);
                drain(followed);
                return;
            }
            if (followed.epoch == null) {
                followed.epoch = meta.epoch();
            }
            push(followed, new ArrayList<>(page.events()));
            if (page.full() && (upTo == null || followed.last.isBefore(upTo))) {
                fill(followed, followed.last, upTo, null);
                return;
            }
            followed.busy = false;
            drain(followed);
        });
    }

    private void push(Followed followed, List<EncodedEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        followed.last = events.get(events.size() - 1).id();
        metrics.eventsRead(events.size());
        try {
            feed.onEvents(followed.topic, new EventBatch(List.copyOf(events)));
        } catch (RuntimeException e) {
            // The feed's failure must never stop the reader.
            LOG.errorf(e, "the live feed failed on %s", followed.topic);
        }
        events.clear();
    }

    // ---- epoch checks -------------------------------------------------------------------------------------------

    /**
     * A history lost without a disconnect (its keys deleted, a {@code FLUSHALL}) shows with the topic's next event;
     * this periodic check, when configured, tells subscribers of a topic that gets none. One small read per followed
     * topic per round, in chunks, so a pod with many topics never floods the shared pool.
     */
    private void checkEpochs() {
        if (checking || stopped) {
            return;
        }
        List<Followed> due = new ArrayList<>();
        for (Followed followed : topics.values()) {
            if (followed.announced && followed.subscribed) {
                due.add(followed);
            }
        }
        checking = true;
        checkChunk(due, 0);
    }

    private void checkChunk(List<Followed> due, int from) {
        int to = Math.min(due.size(), from + CHECK_CHUNK);
        if (from >= to || stopped) {
            checking = false;
            return;
        }
        int[] remaining = {to - from};
        for (Followed followed : due.subList(from, to)) {
            StreamId last = followed.last;
            onContext(shared.send(TopicLayout.metaRead(followed.topic)), result -> {
                if (result.succeeded() && topics.get(followed.topic) == followed && !followed.busy
                        && followed.last.equals(last) && followed.epoch != null) {
                    TopicMeta meta = TopicLayout.meta(result.result());
                    if (LiveStep.lost(followed.epoch, followed.last, meta)) {
                        followed.epoch = meta.epoch();
                        followed.last = meta.cursor() == null ? StreamId.ZERO : meta.cursor();
                        feed.onHistoryReplaced(followed.topic, meta.position());
                    }
                }
                if (--remaining[0] == 0) {
                    checkChunk(due, to);
                }
            });
        }
    }

    private void onLoop(Runnable task) {
        if (EventLoops.isOn(context)) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    private <T> void onContext(Future<T> future, Handler<AsyncResult<T>> handler) {
        EventLoops.onContext(future, context, handler);
    }
}
