package dev.quiver.contract.event;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * Turns what the client sent into the key an event is deduplicated by, for every writer (HTTP ingest, WebSocket
 * publish). Each request form gets its own prefix so that the same client string used in two forms never collides;
 * the topic scope comes from the Redis key itself. A single event's key is the same over HTTP and WebSocket, so a
 * publish retried over the other transport is still recognised.
 */
public final class IdempotencyKeys {

    /** Longest accepted {@code Idempotency-Key} header. */
    public static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {
    }

    /** Validates the header value: 1 to 255 printable ASCII characters. {@code null} stays {@code null}. */
    public static String header(String value) {
        return validate(value, "header:Idempotency-Key");
    }

    /** Validates a key sent in {@code field}: 1 to 255 printable ASCII characters. {@code null} stays {@code null}. */
    public static String validate(String value, String field) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw invalid("Idempotency keys are 1 to " + MAX_LENGTH + " characters", field);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw invalid("Idempotency keys are printable ASCII", field);
            }
        }
        return value;
    }

    /** Key of a single event posted with an {@code Idempotency-Key} header. */
    public static String single(String header) {
        return "h:" + header;
    }

    /** Key of item {@code index} of a batch posted with an {@code Idempotency-Key} header. */
    public static String batchItem(String header, int index) {
        return "b:" + index + ":" + header;
    }

    /** Key of a CloudEvent without a header: its {@code source} and {@code id}, unique together by the spec. */
    public static String cloudEvent(String source, String id) {
        return "ce:" + source.length() + ":" + source + id;
    }

    private static ProblemException invalid(String detail, String field) {
        return new ProblemException(ProblemType.INVALID_REQUEST, detail).with("field", field);
    }
}
