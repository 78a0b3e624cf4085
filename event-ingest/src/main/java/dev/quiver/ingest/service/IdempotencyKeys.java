package dev.quiver.ingest.service;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * Turns what the client sent into the key an event is deduplicated by. Each request form gets its own prefix so that
 * the same client string used in two forms never collides; the topic scope comes from the Redis key itself.
 */
public final class IdempotencyKeys {

    /** Longest accepted {@code Idempotency-Key} header. */
    public static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {
    }

    /** Validates the header value: 1 to 255 printable ASCII characters. {@code null} stays {@code null}. */
    public static String header(String value) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw invalid("Idempotency-Key must be 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw invalid("Idempotency-Key must be printable ASCII");
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

    private static ProblemException invalid(String detail) {
        return new ProblemException(ProblemType.INVALID_REQUEST, detail).with("field", "header:Idempotency-Key");
    }
}
