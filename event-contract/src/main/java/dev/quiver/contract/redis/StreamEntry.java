package dev.quiver.contract.redis;

import java.util.List;

/**
 * One entry of a topic's stream as read back: its id and its field/value pairs in stored order
 * ({@link dev.quiver.contract.event.EventCodec} turns them into the event's JSON).
 */
public record StreamEntry(StreamId id, List<String> fields) {
}
