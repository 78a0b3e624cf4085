package dev.quiver.edge.ws.protocol;

import com.fasterxml.jackson.databind.JsonNode;

import dev.quiver.contract.event.EventJson;

/**
 * Every operation a client sends on {@code /v1/ws} (docs/protocol.md, "Client to server"), decoded from the strict
 * reader's tree by {@link #read}. Decoding is by hand rather than by Jackson's polymorphic binding on {@code op}: a
 * publish's {@code event} must stay the very node the strict reader produced, which remembers the producer's text
 * (binding would copy it into a new tree and lose that).
 */
public sealed interface ClientOp {

    /** The client's reference, echoed in replies and errors; {@code null} when it gave none. */
    String ref();

    /**
     * Subscribe to {@code topic}, from {@code since} (a topic cursor) or live when it is {@code null}; with
     * {@code presence}, its joins and leaves too.
     */
    record Subscribe(String ref, String topic, String since, boolean presence) implements ClientOp {
    }

    /** Read one page of {@code topic}'s members, after the subject {@code after}; at most {@code limit}. */
    record Presence(String ref, String topic, String after, Integer limit) implements ClientOp {
    }

    /** Stop receiving {@code topic}. */
    record Unsubscribe(String ref, String topic) implements ClientOp {
    }

    /**
     * Publish {@code event} (still to be validated) to {@code topic}; {@code traceparent}, when given, is the W3C trace
     * context stored with it (docs/operations.md, "Tracing").
     */
    record Publish(String ref, String topic, JsonNode event, String idempotencyKey, String traceparent)
            implements
                ClientOp {
    }

    /** Answer with a {@code pong}. */
    record Ping(String ref) implements ClientOp {
    }

    /** A message the protocol cannot take; {@code code} is the error code to answer. */
    final class Refused extends RuntimeException {

        private final String ref;
        private final String code;
        /** Whether it counts towards the malformed frames that close the connection. */
        private final boolean malformed;

        Refused(String ref, String code, String message, boolean malformed) {
            super(message, null, false, false);
            this.ref = ref;
            this.code = code;
            this.malformed = malformed;
        }

        public String ref() {
            return ref;
        }

        public String code() {
            return code;
        }

        public boolean malformed() {
            return malformed;
        }
    }

    /**
     * Decodes one message. Members of the wrong type are refused here, before any check of rights or state:
     * {@code since} and {@code idempotencyKey} must be strings; a missing or non-string {@code topic} is {@code null}
     * and refused by the operation as an invalid topic.
     *
     * @throws Refused for a frame that is not an object ({@code malformed-json}), an unknown {@code op}
     *         ({@code unknown-op}), or a member of the wrong type
     */
    static ClientOp read(JsonNode message) {
        if (message == null || !message.isObject()) {
            throw new Refused(null, "malformed-json", "A frame is one JSON (or MessagePack) object", true);
        }
        String ref = scalar(message.get("ref"));
        String op = scalar(message.get("op"));
        String topic = textual(message.get("topic"));
        return switch (op == null ? "" : op) {
            case "subscribe" -> new Subscribe(ref, topic, optionalString(message, "since", ref, "invalid-cursor",
                    "since is a topic cursor, <epoch>:<ms>-<seq> or -"), bool(message, "presence", ref));
            case "presence" -> new Presence(ref, topic, optionalString(message, "after", ref, "invalid-request",
                    "after is a subject (a string)"), optionalInt(message, "limit", ref));
            case "unsubscribe" -> new Unsubscribe(ref, topic);
            case "publish" -> new Publish(ref, topic, message.get("event"), optionalString(message, "idempotencyKey",
                    ref, "invalid-request", "idempotencyKey must be a string"),
                    optionalString(message, "traceparent",
                            ref, "invalid-request", "traceparent must be a string"));
            case "ping" -> new Ping(ref);
            default -> throw new Refused(ref, "unknown-op",
                    "Unknown op '" + op + "' (subscribe, unsubscribe, publish, presence, ping)", true);
        };
    }

    /** A scalar member as text (a number as written), {@code null} when absent, null or not a scalar. */
    private static String scalar(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        return node.isTextual() ? node.textValue() : EventJson.compact(node, "");
    }

    private static String textual(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    private static boolean bool(JsonNode message, String name, String ref) {
        JsonNode node = message.get(name);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new Refused(ref, "invalid-request", name + " is true or false", false);
        }
        return node.booleanValue();
    }

    private static Integer optionalInt(JsonNode message, String name, String ref) {
        JsonNode node = message.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.isTextual() ? null : scalar(node);
        try {
            // The strict reader keeps numbers as written: "2" is a whole number, "2.0" and "2e0" are not.
            if (text != null) {
                return Integer.parseInt(text);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new Refused(ref, "invalid-request", name + " is a whole number", false);
    }

    private static String optionalString(JsonNode message, String name, String ref, String code, String detail) {
        JsonNode node = message.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new Refused(ref, code, detail, false);
        }
        return node.textValue();
    }
}
