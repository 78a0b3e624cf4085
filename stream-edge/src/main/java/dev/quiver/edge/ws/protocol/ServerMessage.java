package dev.quiver.edge.ws.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;

import dev.quiver.edge.session.ResetNotice;

/**
 * Every message the server sends on {@code /v1/ws} but {@code event} (built once per event per pod, see
 * {@code EncodedEvent}): one record each, named by {@code op} (docs/protocol.md, "Server to client"). A {@code null}
 * member is left out.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "op")
@JsonSubTypes({@JsonSubTypes.Type(value = ServerMessage.Subscribed.class, name = "subscribed"),
        @JsonSubTypes.Type(value = ServerMessage.Published.class, name = "published"),
        @JsonSubTypes.Type(value = ServerMessage.Pong.class, name = "pong"),
        @JsonSubTypes.Type(value = ServerMessage.Error.class, name = "error"),
        @JsonSubTypes.Type(value = ServerMessage.Reset.class, name = "reset"),
        @JsonSubTypes.Type(value = ServerMessage.Presence.class, name = "presence")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerMessage {

    /** The subscription is active; delivery starts after {@code cursor} ({@code -} for a topic without history). */
    @JsonPropertyOrder({"ref", "topic", "recovered", "cursor", "pod"})
    record Subscribed(String ref, String topic, boolean recovered, String cursor, String pod) implements ServerMessage {
    }

    /** The publish with that {@code ref} was stored as {@code id}. */
    @JsonPropertyOrder({"ref", "id"})
    record Published(String ref, String id) implements ServerMessage {
    }

    /** The answer to a {@code ping} operation. */
    record Pong(String ref) implements ServerMessage {
    }

    /**
     * The operation with that {@code ref} failed; the connection stays open.
     *
     * @param retryAfter seconds to wait before retrying, for {@code rate-limited}; else {@code null}
     */
    @JsonPropertyOrder({"ref", "code", "message", "retryAfter"})
    record Error(String ref, String code, String message, Integer retryAfter) implements ServerMessage {

        public Error(String ref, String code, String message) {
            this(ref, code, message, null);
        }
    }

    /**
     * The answer to a {@code presence} operation: one page of the topic's members, ordered by subject.
     *
     * @param count members in all
     * @param anonymous connections without a subject (counted, never listed)
     * @param next the subject to pass as {@code after} for the next page; absent on the last one
     */
    @JsonPropertyOrder({"ref", "topic", "count", "anonymous", "members", "next"})
    record Presence(String ref, String topic, long count, long anonymous, List<JsonNode> members, String next)
            implements
                ServerMessage {
    }

    /** The topic's cursor could not be honoured: reload the snapshot; live delivery continues. */
    record Reset(@JsonUnwrapped ResetNotice notice) implements ServerMessage {
    }
}
