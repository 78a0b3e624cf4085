package dev.quiver.contract.nats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.publish.EventStore;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.contract.redis.IdempotencyConflictException;
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
    /** JetStream's "no message found" (the original of a duplicate was trimmed since). */
    private static final int NO_MESSAGE = 10037;
    private static final int RETRY_AFTER_SECONDS = 1;

    private final NatsBroker broker;

    public NatsEventWriter(NatsBroker broker) {
        this.broker = broker;
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
        List<String> ids = new ArrayList<>(topic.events().size());
        List<Boolean> replayed = new ArrayList<>(topic.events().size());
        Uni<Void> chain = epoch().replaceWithVoid();
        for (int i = 0; i < topic.events().size(); i++) {
            int index = i;
            AppendRequest event = topic.events().get(i);
            chain = chain.chain(() -> publish(topic.topic(), event, index)).invoke(stored -> {
                ids.add(NatsLayout.id(stored.sequence()).toString());
                replayed.add(stored.replayed());
            }).replaceWithVoid();
        }
        return chain.chain(this::epoch)
                .map(epoch -> new TopicOutcome(topic.topic(), new AppendResult(epoch, ids, replayed), null))
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
                    broker.sequenceSeen(published.getSeqno());
                    if (!published.isDuplicate()) {
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
                if (e.getApiErrorCode() == NO_MESSAGE) {
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
