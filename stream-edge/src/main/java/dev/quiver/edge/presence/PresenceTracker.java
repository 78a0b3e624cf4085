package dev.quiver.edge.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import dev.quiver.contract.config.BrokerKind;
import dev.quiver.contract.config.PresenceConfig;
import dev.quiver.contract.event.TopicPatterns;
import dev.quiver.contract.nats.NatsPresence;
import dev.quiver.contract.nats.PresenceRecord;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.redis.LuaScript;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.http.PodIdentity;

/**
 * The pod's side of presence (docs/presence.md): which subjects have connections here, per presence topic, written to
 * the broker in batches (Redis: changes through presence.lua; NATS: the pod's whole record, docs/nats.md). Joins and leaves wait up to the flush interval and go in one script call per changed topic; every
 * topic's lease is renewed once per refresh interval whatever its number of members. Nothing here runs per connection
 * per second.
 * <p>
 * All state lives on one context of its own; connections reach it with {@link Ticket}s.
 */
@ApplicationScoped
public class PresenceTracker {

    private static final Logger LOG = Logger.getLogger(PresenceTracker.class);

    /** One presence topic the pod holds connections in. */
    private static final class Topic {

        final String name;
        final LocalPresence local = new LocalPresence();
        /** A write is in flight: the next waits for its answer, so a topic's writes never overtake each other. */
        boolean writing;
        /** No write has been answered yet: a missing lease is then expected, not a loss. */
        boolean fresh = true;
        long lastWrite;

        Topic(String name) {
            this.name = name;
        }
    }

    private final Vertx vertx;
    private final io.vertx.mutiny.redis.client.Redis redis;
    /** Where presence lives on NATS ({@code quiver.broker=nats}); never created on Redis. */
    private final Instance<NatsPresence> nats;
    /** Grows with every NATS record this process publishes: a later record of the pod replaces an earlier one. */
    private long version;
    private final PresenceConfig config;
    private final TopicPatterns patterns;
    private final String pod;
    private final EdgeConfig.LiveSourceKind liveSource;
    private final Map<String, Topic> topics = new HashMap<>();
    private Context context;
    private long timer = -1;
    /** Gauges: written on the tracker's context only (one writer), read by the metrics scrape. */
    private volatile int members;
    private volatile int connections;
    private volatile int topicCount;
    private final Counter writes;
    private final Counter failures;
    private final Counter changes;
    private final Counter resyncs;
    private final Timer writeTime;
    /** Whether the broker is Redis (presence.lua), else NATS (records per pod, docs/nats.md). */
    private final boolean onRedis;

    @Inject
    public PresenceTracker(Vertx vertx, io.vertx.mutiny.redis.client.Redis redis, Instance<NatsPresence> nats,
            PresenceConfig config, PodIdentity identity, EdgeConfig edge, MeterRegistry registry,
            @ConfigProperty(name = BrokerKind.PROPERTY, defaultValue = "redis") BrokerKind broker) {
        this.liveSource = edge.liveSource();
        this.vertx = vertx;
        this.redis = redis;
        this.nats = nats;
        this.config = config;
        this.onRedis = broker == BrokerKind.REDIS;
        this.patterns = config.patterns();
        // A restarted process must not inherit the lease of the one before it (same pod name, other connections).
        this.pod = identity.name().replace('|', '_') + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Gauge.builder("quiver.presence.members", () -> members)
                .description("Subjects present through this pod, summed over presence topics").register(registry);
        Gauge.builder("quiver.presence.connections", () -> connections)
                .description("Connections counted in presence on this pod (with or without a subject)")
                .register(registry);
        Gauge.builder("quiver.presence.topics", () -> topicCount)
                .description("Presence topics this pod holds connections in").register(registry);
        writes = Counter.builder("quiver.presence.writes").description("Presence script calls (joins, leaves, leases)")
                .tag("result", "ok").register(registry);
        failures = Counter.builder("quiver.presence.writes")
                .description("Presence script calls (joins, leaves, leases)")
                .tag("result", "failed").register(registry);
        writeTime = Timer.builder("quiver.presence.write.duration")
                .description("Time of one presence script call, Redis round trip included").register(registry);
        changes = Counter.builder("quiver.presence.changes")
                .description("Joins and leaves this pod's writes published (a subject's first and last connection)")
                .register(registry);
        resyncs = Counter.builder("quiver.presence.resyncs")
                .description("Times Redis had let this pod's lease go (a pause longer than the timeout) and all its"
                        + " members were written again")
                .register(registry);
    }

    void start(@Observes StartupEvent startup) {
        if (patterns.isEmpty()) {
            return;
        }
        Promise<Context> own = Promise.promise();
        vertx.deployVerticle(new AbstractVerticle() {

            @Override
            public void start() {
                own.complete(context);
            }
        });
        start(own.future().toCompletionStage().toCompletableFuture().join());
    }

    /** Starts the timer on {@code context}, which becomes the one the tracker's state lives on. */
    void start(Context on) {
        context = on;
        context.runOnContext(v -> timer = vertx.setPeriodic(config.flushInterval().toMillis(), t -> tick()));
    }

    /** Leaves every topic on a graceful stop, so members go at once rather than when the lease ends. */
    void stop(@Observes ShutdownEvent shutdown) {
        if (context == null) {
            return;
        }
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            vertx.cancelTimer(timer);
            List<Uni<Void>> calls = new ArrayList<>();
            for (Topic topic : topics.values()) {
                calls.add(onRedis
                        ? LuaScript.PRESENCE.run(redis, PresenceLayout.keys(topic.name), PresenceLayout.updateArgs(pod,
                                config.timeout().toMillis(), null, true, Map.of(), List.of())).replaceWithVoid()
                        : nats.get().publish(topic.name, pod, new PresenceRecord(++version, 0, List.of())));
            }
            topics.clear();
            if (calls.isEmpty()) {
                done.complete();
                return;
            }
            Uni.join().all(calls).andCollectFailures().subscribe().with(ok -> done.complete(),
                    failure -> done.complete());
        });
        try {
            done.future().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debugf("presence not released at shutdown; its lease ends on its own: %s", e);
        }
    }

    /** Whether {@code topic} has presence. */
    public boolean enabled(String topic) {
        return patterns.matches(topic);
    }

    /**
     * Who a connection is in presence: a token's {@code sub} and {@code quiver.info}; with authentication off (local
     * development), the name the client gave in {@code name}, if any; else nobody (counted, not listed).
     *
     * @throws ProblemException 400 for a {@code name} that is not 1 to 64 printable characters
     */
    public static Identity identity(Principal principal, String devName) {
        if (principal.kind() == Principal.Kind.OPEN && devName != null) {
            if (devName.isEmpty() || devName.length() > 64 || devName.codePoints().anyMatch(Character::isISOControl)) {
                throw new ProblemException(ProblemType.INVALID_REQUEST,
                        "name is 1 to 64 characters without control characters").with("field", "query:name");
            }
            return new Identity(devName, null);
        }
        return new Identity(principal.presenceSubject(), principal.presenceSubject() == null ? null : principal.info());
    }

    /**
     * Checks that a client asking for joins and leaves on {@code topicNames} can have them: at least one of them has
     * presence, and the live reader is the Pub/Sub one that carries them.
     *
     * @throws ProblemException 400 otherwise
     */
    public void checkWatch(List<String> topicNames) {
        if (onRedis && liveSource != EdgeConfig.LiveSourceKind.PUBSUB) {
            throw new ProblemException(ProblemType.INVALID_REQUEST,
                    "Joins and leaves need the Pub/Sub live reader (quiver.edge.live-source=pubsub)")
                    .with("field", "query:presence");
        }
        if (topicNames.stream().noneMatch(this::enabled)) {
            throw new ProblemException(ProblemType.INVALID_REQUEST,
                    "None of these topics has presence (quiver.presence.topics)").with("field", "query:presence");
        }
    }

    /** One page of a topic's members, ordered by subject, after {@code after} ({@code null}: from the first). */
    public Future<PresenceLayout.Page> page(String topic, String after, int limit) {
        if (!onRedis) {
            return Future.fromCompletionStage(nats.get().page(topic, after, limit).subscribeAsCompletionStage());
        }
        return Future.fromCompletionStage(LuaScript.PRESENCE.run(redis, PresenceLayout.keys(topic),
                PresenceLayout.pageArgs(after, limit)).subscribeAsCompletionStage())
                .map(reply -> PresenceLayout.page(reply.getDelegate()));
    }

    /**
     * A connection's place in the presence of its topics; only the presence topics among {@code topicNames} count.
     */
    public Ticket ticket(List<String> topicNames, Identity identity) {
        String subject = identity.subject();
        String info = identity.info();
        List<String> present = new ArrayList<>(topicNames.size());
        for (String topic : topicNames) {
            if (enabled(topic)) {
                present.add(topic);
            }
        }
        return present.isEmpty() ? Ticket.NONE : new Ticket(this, List.copyOf(present), subject, info);
    }

    private void enter(List<String> names, String subject, String info) {
        context.runOnContext(v -> {
            for (String name : names) {
                LocalPresence local = topics.computeIfAbsent(name, Topic::new).local;
                int before = local.subjects();
                local.enter(subject, info);
                members += local.subjects() - before;
            }
            connections++;
            topicCount = topics.size();
        });
    }

    private void exit(List<String> names, String subject) {
        context.runOnContext(v -> {
            for (String name : names) {
                Topic topic = topics.get(name);
                if (topic != null) {
                    int before = topic.local.subjects();
                    topic.local.exit(subject);
                    members += topic.local.subjects() - before;
                }
            }
            connections--;
        });
    }

    /**
     * Writes what changed, and renews leases that are due; one call per topic at most. A scan of the pod's presence
     * topics per flush interval: cheap per topic, and the Redis work it leads to is per topic per refresh interval.
     */
    private void tick() {
        long now = System.currentTimeMillis();
        long refresh = config.refreshInterval().toMillis();
        for (Topic topic : List.copyOf(topics.values())) {
            if (topic.writing) {
                continue;
            }
            if (topic.local.changed() || now - topic.lastWrite >= refresh) {
                write(topic, now);
            }
        }
    }

    private void write(Topic topic, long now) {
        if (!onRedis) {
            writeRecord(topic, now);
            return;
        }
        LocalPresence.Delta delta = topic.local.take();
        topic.writing = true;
        topic.lastWrite = now;
        long started = System.nanoTime();
        LuaScript.PRESENCE.run(redis, PresenceLayout.keys(topic.name), PresenceLayout.updateArgs(pod,
                config.timeout().toMillis(), delta.anonymous(), delta.release(), delta.joins(), delta.leaves()))
                // A Redis that never answers must not hold the topic's writes forever: the write counts as failed
                // and is told again (joins and leaves are idempotent).
                .ifNoItem().after(config.timeout()).fail()
                .subscribe().with(reply -> context.runOnContext(v -> {
                    writeTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    writes.increment();
                    PresenceLayout.Update update = PresenceLayout.update(reply.getDelegate());
                    changes.increment(update.changes());
                    topic.writing = false;
                    if (update.leaseMissing() && !topic.fresh && !delta.release()) {
                        resyncs.increment();
                        topic.local.resync();
                    }
                    topic.fresh = false;
                    if (delta.release() && topic.local.isEmpty() && !topic.local.changed()) {
                        topics.remove(topic.name, topic);
                        topicCount = topics.size();
                    }
                }), failure -> context.runOnContext(v -> {
                    failures.increment();
                    LOG.debugf("presence write for %s failed, retried on the next tick: %s", topic.name, failure);
                    topic.writing = false;
                    topic.local.failed(delta);
                }));
    }

    /**
     * On NATS: the topic's whole record, which replaces the pod's previous one; joins and leaves are what readers make
     * of the records (docs/nats.md, "Presence"). A record that holds nothing releases the topic.
     */
    private void writeRecord(Topic topic, long now) {
        LocalPresence.Delta delta = topic.local.take();
        topic.writing = true;
        topic.lastWrite = now;
        long started = System.nanoTime();
        PresenceRecord record = new PresenceRecord(++version, topic.local.anonymous(), topic.local.members());
        nats.get().publish(topic.name, pod, record).subscribe().with(ok -> context.runOnContext(v -> {
            writeTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            writes.increment();
            changes.increment(delta.joins().size() + delta.leaves().size());
            topic.writing = false;
            if (delta.release() && topic.local.isEmpty() && !topic.local.changed()) {
                topics.remove(topic.name, topic);
                topicCount = topics.size();
            }
        }), failure -> context.runOnContext(v -> {
            failures.increment();
            LOG.debugf("presence record for %s failed, written again on the next tick: %s", topic.name, failure);
            topic.writing = false;
            topic.local.failed(delta);
        }));
    }

    /**
     * Who a connection is in presence.
     *
     * @param subject its subject; {@code null}: counted, not listed
     * @param info its {@code quiver.info} JSON, or {@code null}
     */
    public record Identity(String subject, String info) {
    }

    /**
     * One connection's presence: entered once when it joined its topics, left once however it ends. Used on the
     * connection's context.
     */
    public static final class Ticket {

        /** For connections without presence topics: does nothing. */
        public static final Ticket NONE = new Ticket(null, List.of(), null, null);

        private final PresenceTracker tracker;
        private final List<String> topics;
        private final String subject;
        private final String info;
        private boolean entered;
        private boolean left;

        private Ticket(PresenceTracker tracker, List<String> topics, String subject, String info) {
            this.tracker = tracker;
            this.topics = topics;
            this.subject = subject;
            this.info = info;
        }

        /** The connection is in its topics. */
        public void enter() {
            if (tracker != null && !entered && !left) {
                entered = true;
                tracker.enter(topics, subject, info);
            }
        }

        /** The connection is gone. */
        public void leave() {
            leaveAfter(0);
        }

        /** The connection is gone, but stays present for {@code millis} more (a long poll waiting for its next poll). */
        public void leaveAfter(long millis) {
            if (left) {
                return;
            }
            left = true;
            if (!entered) {
                return;
            }
            if (millis <= 0) {
                tracker.exit(topics, subject);
            } else {
                tracker.vertx.setTimer(millis, t -> tracker.exit(topics, subject));
            }
        }
    }
}
