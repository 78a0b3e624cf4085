package dev.quiver.contract.nats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import org.jboss.logging.Logger;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.publish.EventStore;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.contract.redis.IdempotencyConflictException;
import dev.quiver.contract.redis.RetentionPolicy;
import dev.quiver.contract.redis.TopicEvents;
import dev.quiver.contract.redis.TopicOutcome;

/**
 * The NATS JetStream {@link EventStore} (docs/nats.md): one message per event on {@code <prefix>.e.<topic>.<key>},
 * which is at once the topic's history and its key's state. Topics are written concurrently; the events of one topic
 * one after the other, each after the previous one's acknowledgement, so that they keep their order even when a
 * publish fails (JetStream 2.9 has no atomic batch: a failure part-way leaves the events before it written, and a
 * retry with the same idempotency keys writes the rest exactly once).
 */
@ApplicationScoped
@Typed(NatsEventWriter.class)
public class NatsEventWriter implements EventStore {

    /** The event's type. */
    public static final String TYPE = "Quiver-Type";
    /** The operation on the key's entity, for an event with a key. */
    public static final String OP = "Quiver-Op";
    /** What "the same event" means for an idempotent retry ({@link EventDraft#fingerprint()}). */
    public static final String FINGERPRINT = "Quiver-Fingerprint";
    /** The publish's W3C trace context. */
    public static final String TRACEPARENT = "traceparent";
    private static final String MSG_ID = "Nats-Msg-Id";
    private static final int RETRY_AFTER_SECONDS = 1;
    private static final Logger LOG = Logger.getLogger(NatsEventWriter.class);

    /**
     * Trims running at once in this pod. A trim costs JetStream requests per event it removes (docs/nats.md, "Limits"),
     * so with many busy topics unbounded trims crowd out the writes themselves (100 at once in scenario 4, and publishes
     * unacknowledged for 5 s): trimming waits instead, never the writes.
     */
    private final Semaphore trimSlots = new Semaphore(2);

    /** Topics whose trimming is tracked at once; beyond it the least recently written are forgotten (and re-counted). */
    private static final int TRACKED_TOPICS = 100_000;

    private final NatsBroker broker;
    private final RetentionPolicy retention;
    private final NatsRetention trimmer;
    /** Per topic: writes since its last trim check, when that was, and whether one runs now. */
    private final Map<String, TrimState> trims = new LinkedHashMap<>(16, 0.75f, true) {

        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TrimState> eldest) {
            return size() > TRACKED_TOPICS;
        }
    };

    private static final class TrimState {

        long writes;
        Instant last = Instant.now();
        boolean running;
    }

    public NatsEventWriter(NatsBroker broker, RetentionPolicy retention, NatsRetention trimmer) {
        this.broker = broker;
        this.retention = retention;
        this.trimmer = trimmer;
    }

    @Override
    public Uni<AppendResult> append(String topic, List<AppendRequest> events) {
        return appendAll(List.of(new TopicEvents(topic, events))).map(outcomes -> outcomes.get(0).resultOrThrow());
    }

    @Override
    public Uni<List<TopicOutcome>> appendAll(List<TopicEvents> topics) {
        for (TopicEvents topic : topics) {
            if (topic.events().isEmpty()) {
                throw new IllegalArgumentException("nothing to append to " + topic.topic());
            }
        }
        List<Uni<TopicOutcome>> each = new ArrayList<>(topics.size());
        for (TopicEvents topic : topics) {
            each.add(appendTopic(topic));
        }
        return Uni.join().all(each).andFailFast();
    }

    /** One topic's events, in order; never fails: the outcome carries the failure. */
    private Uni<TopicOutcome> appendTopic(TopicEvents topic) {
        int conflict = conflictWithinCall(topic.events());
        if (conflict >= 0) {
            return Uni.createFrom().item(new TopicOutcome(topic.topic(), null,
                    new IdempotencyConflictException(conflict)));
        }
        List<AppendRequest> events = topic.events();
        // One after the other, each once the previous one is acknowledged; a Multi, not nested chains, so that a
        // thousand events do not make a thousand deep call stack.
        return epoch().chain(() -> Multi.createFrom().range(0, events.size())
                .onItem().transformToUniAndConcatenate(i -> publish(topic.topic(), events.get(i), i))
                .collect().asList())
                .chain(stored -> epoch().map(epoch -> new AppendResult(epoch,
                        stored.stream().map(one -> NatsLayout.id(one.sequence()).toString()).toList(),
                        stored.stream().map(Stored::replayed).toList())))
                .invoke(() -> written(topic.topic(), events.size()))
                .map(result -> new TopicOutcome(topic.topic(), result, null))
                .onFailure().recoverWithItem(failure -> new TopicOutcome(topic.topic(), null, failure));
    }

    /** A stored (or recognised) message. */
    private record Stored(long sequence, boolean replayed) {
    }

    private Uni<Stored> publish(String topic, AppendRequest event, int index) {
        EventDraft draft = event.draft();
        NatsLayout layout = broker.layout();
        Headers headers = new Headers().add(TYPE, draft.type());
        if (draft.op() != null) {
            headers.add(OP, draft.op().wire());
        }
        if (event.traceparent() != null) {
            headers.add(TRACEPARENT, event.traceparent());
        }
        PublishOptions.Builder options = PublishOptions.builder().expectedStream(layout.stream());
        if (event.idempotencyKey() != null) {
            headers.add(MSG_ID, messageId(topic, event.idempotencyKey()));
            headers.add(FINGERPRINT, draft.fingerprint());
        }
        Connection.Status status = broker.status();
        if (status != Connection.Status.CONNECTED) {
            // As with Redis refusing connections: answer at once, never park the write in the reconnect buffer.
            return Uni.createFrom().failure(ProblemException.unavailable(
                    "NATS is unavailable (the connection is " + status + "): the event was not stored",
                    RETRY_AFTER_SECONDS, null));
        }
        long highestBefore = broker.highestSequence();
        CompletableFuture<PublishAck> ack;
        try {
            ack = broker.jetStream().publishAsync(layout.eventSubject(topic, draft.key()), headers,
                    draft.data().getBytes(StandardCharsets.UTF_8), options.build());
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(unavailable(e));
        }
        return Uni.createFrom().completionStage(ack)
                .ifNoItem().after(broker.timeout()).failWith(() -> ProblemException.unavailable(
                        "NATS did not acknowledge the write within " + broker.timeout().toMillis() + " ms",
                        RETRY_AFTER_SECONDS, null))
                .onFailure(e -> !(e instanceof ProblemException)).transform(failure -> {
                    if (String.valueOf(failure.getMessage()).contains("No Responders")) {
                        // Nothing captures the subject: the stream is gone. The next write looks for it again.
                        broker.forgetStream();
                    }
                    return unavailable(failure);
                })
                .chain(published -> {
                    if (!published.isDuplicate()) {
                        broker.sequenceStored(published.getSeqno(), highestBefore);
                        return Uni.createFrom().item(new Stored(published.getSeqno(), false));
                    }
                    return original(published.getSeqno(), draft.fingerprint(), index);
                });
    }

    /**
     * A duplicate: the same fingerprint is an idempotent retry, another is a conflict. Reads the first message
     * (blocking, off the caller's thread).
     */
    private Uni<Stored> original(long sequence, String fingerprint, int index) {
        return Uni.createFrom().item(() -> {
            try {
                MessageInfo first = broker.management().getMessage(broker.layout().stream(), sequence);
                String stored = first.getHeaders() == null ? null : first.getHeaders().getFirst(FINGERPRINT);
                if (stored != null && !stored.equals(fingerprint)) {
                    throw new IdempotencyConflictException(index);
                }
                return new Stored(sequence, true);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() == NatsBroker.NO_MESSAGE) {
                    // Trimmed since: the key was used, and its event is known by its sequence.
                    return new Stored(sequence, true);
                }
                throw unavailable(e);
            } catch (java.io.IOException e) {
                throw unavailable(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The epoch, at once when known, else read (and the streams created) off the caller's thread. */
    private Uni<String> epoch() {
        String known = broker.knownEpoch();
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return Uni.createFrom().item(() -> {
            try {
                return broker.epoch();
            } catch (JetStreamApiException | java.io.IOException | RuntimeException e) {
                throw unavailable(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * Counts {@code count} events written to {@code topic} and, when it is due ({@link NatsRetention#due}), trims it on
     * a worker: off the request's path, one trim per topic at a time and two in all in this pod. A failed trim is retried at the next
     * due write; the history is then a little longer for a while, never shorter.
     */
    private void written(String topic, int count) {
        RetentionPolicy.Limits limits = retention.limitsFor(topic);
        if (limits.maxLen() == 0 && limits.maxAge().isZero()) {
            return;
        }
        Instant now = Instant.now();
        synchronized (trims) {
            TrimState state = trims.computeIfAbsent(topic, t -> new TrimState());
            state.writes += count;
            if (state.running || !NatsRetention.due(limits, state.writes, Duration.between(state.last, now))) {
                return;
            }
            if (!trimSlots.tryAcquire()) {
                // Enough trims run: the topic's next write asks again. Its history is longer for a while.
                return;
            }
            state.running = true;
            state.writes = 0;
            state.last = now;
        }
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                trimWhileDue(topic, limits, now);
            } finally {
                trimSlots.release();
            }
        });
    }

    /** Trims {@code topic}, again as long as the writes made meanwhile make it due, then lets the next write decide. */
    private void trimWhileDue(String topic, RetentionPolicy.Limits limits, Instant started) {
        Instant now = started;
        while (true) {
            try {
                trimmer.trim(topic, limits, now);
            } catch (Exception e) {
                LOG.debugf("trimming %s failed (retried at its next due write): %s", topic, e.toString());
            }
            synchronized (trims) {
                TrimState state = trims.get(topic);
                if (state == null) {
                    return;
                }
                now = Instant.now();
                if (!NatsRetention.due(limits, state.writes, Duration.between(state.last, now))) {
                    state.running = false;
                    return;
                }
                state.writes = 0;
                state.last = now;
            }
        }
    }

    /** Two events of one call with one key and different content: nothing of the topic is written. */
    private static int conflictWithinCall(List<AppendRequest> events) {
        Map<String, String> fingerprints = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            AppendRequest event = events.get(i);
            if (event.idempotencyKey() == null) {
                continue;
            }
            String fingerprint = event.draft().fingerprint();
            String before = fingerprints.putIfAbsent(event.idempotencyKey(), fingerprint);
            if (before != null && !before.equals(fingerprint)) {
                return i;
            }
        }
        return -1;
    }

    /** The duplicate window is stream-wide: the key is scoped to its topic. */
    static String messageId(String topic, String idempotencyKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((topic + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static RuntimeException unavailable(Throwable failure) {
        if (failure instanceof ProblemException problem) {
            return problem;
        }
        if (failure instanceof IdempotencyConflictException conflict) {
            return conflict;
        }
        if (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
            return unavailable(failure.getCause());
        }
        return ProblemException.unavailable("NATS is unavailable: the event was not stored", RETRY_AFTER_SECONDS,
                failure);
    }
}
