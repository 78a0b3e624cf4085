package dev.quiver.ingest.rest.dto;

/**
 * The answer for one stored event.
 *
 * @param topic the topic
 * @param id the Redis stream id: the event's position in its topic
 */
public record AcceptedEvent(String topic, String id) {
}
