package dev.quiver.ingest.rest.dto;

import java.util.List;

/**
 * The answer for a stored batch.
 *
 * @param events one entry per request item, in request order
 */
public record AcceptedBatch(List<AcceptedEvent> events) {
}
