package dev.quiver.contract.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

import dev.quiver.contract.config.BrokerKind;
import dev.quiver.contract.config.EventsConfig;
import dev.quiver.contract.config.ReplicationConfig;
import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.publish.EventStore;

/**
 * The only way events enter Redis: appends events to their topics' streams and folds them into their state with
 * ONE Lua script ({@code append.lua}), atomic per topic, with idempotency and retention. Every writer (HTTP ingest, WebSocket
 * publish) goes through here, so every writer follows the same rules.
 */
@ApplicationScoped
@Typed(EventWriter.class)
public class EventWriter implements EventStore {

    private static final Logger LOG = Logger.getLogger(EventWriter.class);
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int RETRY_AFTER_SECONDS = 1;
    /** Events per script call: a batch of the largest size ingest takes runs as a few short calls. */
    static final int EVENTS_PER_CALL = 256;

    private final Redis redis;
    private final RetentionPolicy retention;
    private final Duration idempotencyWindow;
    private final Duration timeout;
    private final int waitReplicas;
    private final Duration waitTimeout;
    private final boolean cluster;

    /**
     * @param clientType the Quarkus Redis client's type: on a cluster, one script call holds the topics of one hash
     *        slot only
     */
    @Inject
    public EventWriter(Redis redis, RetentionPolicy retention, EventsConfig config, ReplicationConfig replication,
            @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.redis = redis;
        this.cluster = "cluster".equalsIgnoreCase(clientType);
        this.retention = retention;
        this.idempotencyWindow = config.idempotencyWindow();
        this.waitReplicas = replication.waitReplicas();
        this.waitTimeout = replication.waitTimeout();
        // The replicas' wait is part of the write: the overall limit must leave room for it.
        this.timeout = waitReplicas > 0 ? config.redisTimeout().plus(waitTimeout) : config.redisTimeout();
    }

    /** A writer for a single Redis primary (standalone or Sentinel). */
    public EventWriter(Redis redis, RetentionPolicy retention, EventsConfig config, ReplicationConfig replication) {
        this(redis, retention, config, replication, "standalone");
    }

    /**
     * Loads the script and opens a pooled connection at startup, so the first burst of writes neither waits for
     * connections nor bounces off NOSCRIPT. Failure is fine: Redis may come up later, and appends load the script on
     * demand.
     */
    void preload(@Observes StartupEvent startup,
            @ConfigProperty(name = BrokerKind.PROPERTY, defaultValue = "redis") BrokerKind broker) {
        if (broker != BrokerKind.REDIS) {
            return;
        }
        redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(LuaScript.APPEND.text()))
                .subscribe().with(
                        loaded -> LOG.debugf("append script loaded as %s", loaded),
                        failure -> LOG.warnf("Could not preload the append script (Redis unreachable?): %s", failure));
    }

    /**
     * Appends {@code events}, all of {@code topic}, in order. Fails with {@link IdempotencyConflictException} when a
     * key was reused for another event (then nothing was written), or with a 503 {@link ProblemException} when Redis
     * did not acknowledge in time; a timed-out write may still have landed.
     */
    @Override
    public Uni<AppendResult> append(String topic, List<AppendRequest> events) {
        return appendAll(List.of(new TopicEvents(topic, events))).map(outcomes -> outcomes.get(0).resultOrThrow());
    }

    /**
     * Appends the events of several topics, each topic's events atomically and in order, every topic independently
     * of the others: one topic's conflict or outage leaves the others written. Topics share script calls (one round
     * trip and one script run for a whole batch on a single primary; on Redis Cluster one per hash slot), a call
     * holding at most {@value #EVENTS_PER_CALL} events unless one topic alone has more, so that no single call keeps
     * Redis busy for long. Never fails as a whole: each outcome carries its topic's result or failure.
     */
    @Override
    public Uni<List<TopicOutcome>> appendAll(List<TopicEvents> topics) {
        List<List<TopicEvents>> calls = calls(topics);
        List<Uni<List<TopicOutcome>>> sent = new ArrayList<>(calls.size());
        for (List<TopicEvents> call : calls) {
            sent.add(call(call));
        }
        if (sent.size() == 1) {
            return sent.get(0);
        }
        return Uni.join().all(sent).andFailFast().map(results -> {
            // Calls regroup topics; answer in the caller's order.
            Map<TopicEvents, TopicOutcome> outcomes = new IdentityHashMap<>();
            for (int c = 0; c < calls.size(); c++) {
                for (int t = 0; t < calls.get(c).size(); t++) {
                    outcomes.put(calls.get(c).get(t), results.get(c).get(t));
                }
            }
            return topics.stream().map(outcomes::get).toList();
        });
    }

    /** Groups topics into script calls: by hash slot on a cluster, else in order, up to the size limit. */
    List<List<TopicEvents>> calls(List<TopicEvents> topics) {
        for (TopicEvents topic : topics) {
            if (topic.events().isEmpty()) {
                throw new IllegalArgumentException("nothing to append to " + topic.topic());
            }
        }
        Map<Integer, List<List<TopicEvents>>> groups = new LinkedHashMap<>();
        Map<Integer, Integer> sizes = new HashMap<>();
        for (TopicEvents topic : topics) {
            int group = cluster ? KeySlot.of(new TopicKeys(topic.topic()).stream()) : 0;
            List<List<TopicEvents>> calls = groups.computeIfAbsent(group, g -> new ArrayList<>());
            int size = sizes.getOrDefault(group, 0);
            if (calls.isEmpty() || size + topic.events().size() > EVENTS_PER_CALL) {
                calls.add(new ArrayList<>());
                size = 0;
            }
            calls.get(calls.size() - 1).add(topic);
            sizes.put(group, size + topic.events().size());
        }
        return groups.values().stream().flatMap(List::stream).toList();
    }

    /** One script call; a failure of the call is every topic's failure. */
    private Uni<List<TopicOutcome>> call(List<TopicEvents> topics) {
        return send(topics)
                .ifNoItem().after(timeout).failWith(() -> ProblemException.unavailable(
                        "Redis did not acknowledge the write within " + timeout.toMillis() + " ms",
                        RETRY_AFTER_SECONDS, null))
                .onFailure(e -> !(e instanceof ProblemException))
                .transform(EventWriter::unavailable)
                .map(response -> parse(response, topics))
                .onFailure().recoverWithItem(failure -> topics.stream()
                        .map(topic -> new TopicOutcome(topic.topic(), null, failure)).toList());
    }

    /**
     * The script's reply; with {@code wait-replicas}, only once enough replicas have the write. Too few in time is a
     * 503 for every topic of the call: the write is on the primary and may be lost in a failover, and a retry with
     * the same idempotency key waits again without writing twice.
     */
    private Uni<Response> send(List<TopicEvents> topics) {
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        request(topics, keys, args, waitReplicas > 0);
        if (waitReplicas == 0) {
            return LuaScript.APPEND.run(redis, keys, args);
        }
        return LuaScript.APPEND.runThenWait(redis, keys, args, waitReplicas, waitTimeout.toMillis())
                .map(replies -> {
                    long acknowledged = replies.get(1).toLong();
                    if (acknowledged < waitReplicas && wroteAnything(replies.get(0))) {
                        throw ProblemException.unavailable("Redis replicated the write to " + acknowledged + " of "
                                + waitReplicas + " replicas within " + waitTimeout.toMillis()
                                + " ms; retry with the same Idempotency-Key", RETRY_AFTER_SECONDS, null);
                    }
                    return replies.get(0);
                });
    }

    private static boolean wroteAnything(Response reply) {
        for (Response topic : reply) {
            if ("OK".equals(topic.get(0).toString())) {
                return true;
            }
        }
        return false;
    }

    /** Fills the script's KEYS and ARGV (the layout is documented in append.lua). */
    private void request(List<TopicEvents> topics, List<String> keys, List<String> args, boolean thenWait) {
        args.add(newEpoch());
        args.add(Long.toString(idempotencyWindow.toMillis()));
        args.add(thenWait ? "1" : "0");
        args.add(Integer.toString(topics.size()));
        for (TopicEvents topic : topics) {
            TopicKeys names = new TopicKeys(topic.topic());
            keys.add(names.stream());
            keys.add(names.state());
            keys.add(names.meta());
            keys.add(names.index());
            keys.add(names.live());
            RetentionPolicy.Limits limits = retention.limitsFor(topic.topic());
            int records = 0;
            for (AppendRequest event : topic.events()) {
                records += event.idempotencyKey() == null ? 0 : 1;
            }
            args.add(Integer.toString(topic.events().size()));
            args.add(Long.toString(limits.maxLen()));
            args.add(Long.toString(limits.maxAge().toMillis()));
            args.add(Integer.toString(records));
            for (AppendRequest event : topic.events()) {
                EventDraft draft = event.draft();
                args.add(draft.type());
                args.add(draft.key() == null ? "" : draft.key());
                args.add(draft.op() == null ? "" : draft.op().wire());
                args.add(draft.data());
                if (event.idempotencyKey() == null) {
                    args.add("0");
                    args.add("");
                } else {
                    // KEYS index (1-based) of this event's record, which follows its topic's keys.
                    keys.add(names.idempotency(digest(event.idempotencyKey())));
                    args.add(Integer.toString(keys.size()));
                    args.add(draft.fingerprint());
                }
                args.add(event.traceparent() == null ? "" : event.traceparent());
            }
        }
    }

    private static List<TopicOutcome> parse(Response reply, List<TopicEvents> topics) {
        List<TopicOutcome> outcomes = new ArrayList<>(topics.size());
        for (int t = 0; t < topics.size(); t++) {
            Response response = reply.get(t);
            String topic = topics.get(t).topic();
            if ("CONFLICT".equals(response.get(0).toString())) {
                outcomes.add(new TopicOutcome(topic, null,
                        new IdempotencyConflictException(response.get(1).toInteger() - 1)));
                continue;
            }
            int count = topics.get(t).events().size();
            Response ids = response.get(2);
            Response replayed = response.get(3);
            List<String> idList = new ArrayList<>(count);
            List<Boolean> replayList = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                idList.add(ids.get(i).toString());
                replayList.add(replayed.get(i).toInteger() == 1);
            }
            outcomes.add(new TopicOutcome(topic, new AppendResult(response.get(1).toString(), idList, replayList),
                    null));
        }
        return outcomes;
    }

    /**
     * Redis refusing a well-formed script (ERR, WRONGTYPE) is a defect or foreign data in our keys, not an outage:
     * answering 503 would make clients retry forever. Everything else (connection refused, reset, pool exhausted,
     * OOM, LOADING, READONLY, cluster trouble) is an outage the client should wait out.
     */
    private static Throwable unavailable(Throwable failure) {
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        // Redis 6.2 wraps errors raised inside a script in "ERR Error running script ... -OOM ...".
        boolean outage = message.contains("OOM") || message.contains("READONLY") || message.contains("LOADING")
                || message.contains("MASTERDOWN") || message.contains("BUSY") || message.contains("CLUSTERDOWN")
                || message.contains("TRYAGAIN");
        // A script error is a reply starting with Redis's error code word; connection failures never read like that.
        if (!outage && (message.startsWith("ERR ") || message.startsWith("WRONGTYPE "))) {
            return new IllegalStateException("Redis rejected the append script: " + message, failure);
        }
        return ProblemException.unavailable("Redis is unavailable: the event was not stored", RETRY_AFTER_SECONDS,
                failure);
    }

    /** A fresh epoch candidate; the script keeps it only for a topic's very first event. */
    static String newEpoch() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] epoch = new char[8];
        for (int i = 0; i < epoch.length; i++) {
            epoch[i] = BASE32[random.nextInt(BASE32.length)];
        }
        return new String(epoch);
    }

    /** Hex SHA-256 of an idempotency key: fixed length and harmless characters, whatever the client sent. */
    static String digest(String idempotencyKey) {
        return HexFormat.of().formatHex(sha("SHA-256", idempotencyKey), 0, 16);
    }

    private static byte[] sha(String algorithm, String text) {
        try {
            return MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by every Java platform", e);
        }
    }

}
