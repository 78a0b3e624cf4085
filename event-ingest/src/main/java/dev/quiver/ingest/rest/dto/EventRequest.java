package dev.quiver.ingest.rest.dto;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The plain JSON event, for the OpenAPI document only: request bodies are parsed by
 * {@link dev.quiver.contract.event.EventValidator}, which is the authority on these rules.
 */
@Schema(name = "Event", description = "A plain JSON event")
public record EventRequest(
        @Schema(description = "Topic; in batches only", pattern = "[A-Za-z0-9][A-Za-z0-9._:-]{0,199}") String topic,
        @Schema(required = true, maxLength = 128, description = "Event type") String type,
        @Schema(maxLength = 256, description = "Entity key; keyed events update the topic state") String key,
        @Schema(enumeration = {
                "upsert", "delete"}, description = "Default upsert when a key is present") String op,
        @Schema(required = true, description = "Any JSON value; may be omitted for delete") JsonNode data){
}
