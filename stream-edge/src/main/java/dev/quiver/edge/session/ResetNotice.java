package dev.quiver.edge.session;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What every transport tells a client whose cursor cannot be honoured (SSE {@code event: reset}, the poll's
 * {@code resets}, the WebSocket {@code reset} message): the topic, why, and where to reload its state.
 */
@JsonPropertyOrder({"topic", "reason", "snapshot"})
public record ResetNotice(String topic, String reason, String snapshot) {

    public static ResetNotice of(String topic, ResetReason reason) {
        return new ResetNotice(topic, reason.wire(), "/v1/topics/" + topic + "/snapshot");
    }
}
