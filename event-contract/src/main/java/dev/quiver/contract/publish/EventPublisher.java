package dev.quiver.contract.publish;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventValidator;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.IdempotencyConflictException;

/**
 * Publishing one event, the same for every transport (HTTP ingest, WebSocket publish): the event schema's validation,
 * then the atomic append with idempotency, with a reused key answered as the {@code idempotency-conflict} problem.
 * Parsing the request and checking rights stay with the transport; what is stored, and how, is decided here only.
 */
@ApplicationScoped
public class EventPublisher {

    /** A stored (or recognised) event. */
    public record Stored(String topic, String id, boolean replayed) {
    }

    private final EventStore writer;

    public EventPublisher(EventStore writer) {
        this.writer = writer;
    }

    /**
     * Validates a plain event object; throws the {@code invalid-event} problem naming the member at {@code pointer}.
     */
    public EventDraft validate(String topic, JsonNode event, String pointer) {
        return EventValidator.validate(topic, event, pointer, Set.of());
    }

    /**
     * Appends {@code draft} to its topic.
     *
     * @param idempotencyKey the stored form of the key ({@link dev.quiver.contract.event.IdempotencyKeys}), or
     *        {@code null}
     */
    public Uni<Stored> publish(EventDraft draft, String idempotencyKey) {
        return publish(draft, idempotencyKey, null);
    }

    /** As {@link #publish(EventDraft, String)}, with the publish's W3C traceparent stored beside the event. */
    public Uni<Stored> publish(EventDraft draft, String idempotencyKey, String traceparent) {
        return writer.append(draft.topic(), List.of(new AppendRequest(draft, idempotencyKey, traceparent)))
                .onFailure(IdempotencyConflictException.class).transform(e -> conflict())
                .map(result -> new Stored(draft.topic(), result.ids().get(0), result.replayed().get(0)));
    }

    /** The problem of a key reused for another event. */
    public static ProblemException conflict() {
        return new ProblemException(ProblemType.IDEMPOTENCY_CONFLICT,
                "This idempotency key was already used for a different event within the dedup window; nothing was"
                        + " written");
    }
}
