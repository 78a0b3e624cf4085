package dev.quiver.contract.redis;

import java.util.List;

/**
 * The events of one topic to append together, in order.
 *
 * @param topic the topic
 * @param events at least one
 */
public record TopicEvents(String topic, List<AppendRequest> events) {
}
