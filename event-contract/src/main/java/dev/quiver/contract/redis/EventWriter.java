package dev.quiver.contract.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

import dev.quiver.contract.config.EventsConfig;
import dev.quiver.contract.config.ReplicationConfig;
import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.problem.ProblemException;

/**
 * The only way events enter Redis: appends events of one topic to its stream and folds them into its state in ONE
 * atomic Lua script ({@code append.lua}), with idempotency and retention. Every writer (HTTP ingest, WebSocket
 * publish) goes through here, so every writer follows the same rules.
 */
@ApplicationScoped
public class EventWriter {

    private static final Logger LOG = Logger.getLogger(EventWriter.class);
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int RETRY_AFTER_SECONDS = 1;

    private final Redis redis;
    private final RetentionPolicy retention;
    private final Duration idempotencyWindow;
    private final Duration timeout;
    private final int waitReplicas;
    private final Duration waitTimeout;

    public EventWriter(Redis redis, RetentionPolicy retention, EventsConfig config, ReplicationConfig replication) {
        this.redis = redis;
        this.retention = retention;
        this.idempotencyWindow = config.idempotencyWindow();
        this.waitReplicas = replication.waitReplicas();
        this.waitTimeout = replication.waitTimeout();
        // The replicas' wait is part of the write: the overall limit must leave room for it.
        this.timeout = waitReplicas > 0 ? config.redisTimeout().plus(waitTimeout) : config.redisTimeout();
    }

    /**
     * Loads the script and opens a pooled connection at startup, so the first burst of writes neither waits for
     * connections nor bounces off NOSCRIPT. Failure is fine: Redis may come up later, and appends load the script on
     * demand.
     */
    void preload(@Observes StartupEvent startup) {
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
    public Uni<AppendResult> append(String topic, List<AppendRequest> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("nothing to append");
        }
        return send(topic, events)
                .ifNoItem().after(timeout).failWith(() -> ProblemException.unavailable(
                        "Redis did not acknowledge the write within " + timeout.toMillis() + " ms",
                        RETRY_AFTER_SECONDS, null))
                .onFailure(e -> !(e instanceof ProblemException) && !(e instanceof IdempotencyConflictException))
                .transform(EventWriter::unavailable)
                .map(response -> parse(response, events.size()));
    }

    /**
     * The script's reply; with {@code wait-replicas}, only once enough replicas have the write. Too few in time is a
     * 503: the write is on the primary and may be lost in a failover, and a retry with the same idempotency key waits
     * again without writing twice.
     */
    private Uni<Response> send(String topic, List<AppendRequest> events) {
        if (waitReplicas == 0) {
            return LuaScript.APPEND.run(redis, keyNames(topic, events), args(topic, events, false));
        }
        return LuaScript.APPEND.runThenWait(redis, keyNames(topic, events), args(topic, events, true), waitReplicas,
                waitTimeout.toMillis()).map(replies -> {
                    long acknowledged = replies.get(1).toLong();
                    if (acknowledged < waitReplicas && "OK".equals(replies.get(0).get(0).toString())) {
                        throw ProblemException.unavailable("Redis replicated the write to " + acknowledged + " of "
                                + waitReplicas + " replicas within " + waitTimeout.toMillis()
                                + " ms; retry with the same Idempotency-Key", RETRY_AFTER_SECONDS, null);
                    }
                    return replies.get(0);
                });
    }

    private static List<String> keyNames(String topic, List<AppendRequest> events) {
        TopicKeys keys = new TopicKeys(topic);
        List<String> keyNames = new ArrayList<>(
                List.of(keys.stream(), keys.state(), keys.meta(), keys.index(), keys.live()));
        for (AppendRequest event : events) {
            if (event.idempotencyKey() != null) {
                keyNames.add(keys.idempotency(digest(event.idempotencyKey())));
            }
        }
        return keyNames;
    }

    private List<String> args(String topic, List<AppendRequest> events, boolean thenWait) {
        // Idempotency records follow the topic's five keys; each event names its record by 1-based index.
        int slot = 6;
        RetentionPolicy.Limits limits = retention.limitsFor(topic);
        List<String> args = new ArrayList<>(6 + events.size() * 6);
        args.add(newEpoch());
        args.add(Long.toString(limits.maxLen()));
        args.add(Long.toString(limits.maxAge().toMillis()));
        args.add(Long.toString(idempotencyWindow.toMillis()));
        args.add(Integer.toString(events.size()));
        args.add(thenWait ? "1" : "0");
        for (AppendRequest event : events) {
            EventDraft draft = event.draft();
            args.add(draft.type());
            args.add(draft.key() == null ? "" : draft.key());
            args.add(draft.op() == null ? "" : draft.op().wire());
            args.add(draft.data());
            if (event.idempotencyKey() == null) {
                args.add("0");
                args.add("");
            } else {
                args.add(Integer.toString(slot++));
                args.add(draft.fingerprint());
            }
        }
        return args;
    }

    private static AppendResult parse(Response response, int count) {
        if ("CONFLICT".equals(response.get(0).toString())) {
            throw new IdempotencyConflictException(response.get(1).toInteger() - 1);
        }
        Response ids = response.get(2);
        Response replayed = response.get(3);
        List<String> idList = new ArrayList<>(count);
        List<Boolean> replayList = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            idList.add(ids.get(i).toString());
            replayList.add(replayed.get(i).toInteger() == 1);
        }
        return new AppendResult(response.get(1).toString(), idList, replayList);
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
