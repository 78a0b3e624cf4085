package dev.quiver.ingest.service;

/**
 * One acknowledged event.
 *
 * @param topic its topic
 * @param id its stream id
 * @param replayed whether it was an idempotent retry that wrote nothing
 */
public record Accepted(String topic, String id, boolean replayed) {
}
