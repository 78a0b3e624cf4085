package dev.quiver.snapshot.service;

import java.util.List;

import io.smallrye.mutiny.Uni;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;

/**
 * Reads a topic's state and history from the broker ({@link RedisSnapshotReader}, {@link NatsSnapshotReader}): each
 * answer carries the position it reflects, so a snapshot and a subscription from its cursor miss and repeat nothing.
 */
public interface SnapshotReader {

    /** One entity as stored: its key, the id of the event that last set it, that event's time and its data JSON. */
    record Entity(String key, StreamId id, String time, String data) {
    }

    /** A page of state: the position it reflects, its entities in key order, and whether more follow. */
    record StatePage(TopicPosition position, List<Entity> entities, boolean more) {
    }

    /** History after a position: the topic's facts and up to the requested number of encoded events. */
    record History(String epoch, StreamId cursor, StreamId floor, List<EventJson> events) {
    }

    /** One event's JSON and id. */
    record EventJson(StreamId id, byte[] json) {
    }

    /** One entity and the position it reflects; {@code entity} is null when the key has no state. */
    record EntityAt(TopicPosition position, Entity entity) {
    }

    /** Up to {@code limit} entities with keys after {@code after} ({@code null}: from the first), in key order. */
    Uni<StatePage> page(String topic, String after, int limit);

    /** One entity. */
    Uni<EntityAt> entity(String topic, String key);

    /** Up to {@code limit} events after {@code after}, with the topic's facts read with them. */
    Uni<History> eventsAfter(String topic, StreamId after, int limit);

    /** The position alone: the version an ETag is made of, without touching the entities. */
    Uni<TopicPosition> version(String topic);
}
