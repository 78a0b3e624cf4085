package dev.quiver.contract.publish;

import java.util.List;

import io.smallrye.mutiny.Uni;

import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.contract.redis.TopicEvents;
import dev.quiver.contract.redis.TopicOutcome;

/**
 * Where published events are stored: the broker's writer, Redis ({@link dev.quiver.contract.redis.EventWriter}) or
 * NATS JetStream ({@link dev.quiver.contract.nats.NatsEventWriter}), whichever {@code quiver.broker} names. Every
 * writer (HTTP ingest, WebSocket publish) goes through it.
 */
public interface EventStore {

    /**
     * Appends {@code events}, all of {@code topic}, in order. Fails with an
     * {@link dev.quiver.contract.redis.IdempotencyConflictException} when a key was reused for another event, or with
     * a 503 {@link dev.quiver.contract.problem.ProblemException} when the broker did not acknowledge in time; a
     * timed-out write may still have landed.
     */
    Uni<AppendResult> append(String topic, List<AppendRequest> events);

    /**
     * Appends the events of several topics, every topic independently of the others: one topic's conflict or outage
     * leaves the others written. Never fails as a whole: each outcome carries its topic's result or failure.
     */
    Uni<List<TopicOutcome>> appendAll(List<TopicEvents> topics);
}
