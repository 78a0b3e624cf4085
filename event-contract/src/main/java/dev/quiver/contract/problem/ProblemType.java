package dev.quiver.contract.problem;

/**
 * The stable kinds of error every Quiver service reports. Clients branch on {@link #uri()}, never on the human
 * readable title or detail, so a slug must never change meaning once published (see docs/errors.md).
 */
public enum ProblemType {

    MALFORMED_JSON("malformed-json", 400, "Malformed JSON"),
    INVALID_EVENT("invalid-event", 400, "Invalid event"),
    INVALID_TOPIC("invalid-topic", 400, "Invalid topic name"),
    INVALID_REQUEST("invalid-request", 400, "Invalid request"),
    INVALID_CURSOR("invalid-cursor", 400, "Invalid cursor"),
    UNAUTHORIZED("unauthorized", 401, "Authentication required"),
    FORBIDDEN("forbidden", 403, "Not allowed"),
    NOT_FOUND("not-found", 404, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    IDEMPOTENCY_CONFLICT("idempotency-conflict", 409, "Idempotency key reused with another request"),
    CURSOR_GONE("cursor-gone", 410, "Cursor no longer served: reload the snapshot"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    TOO_MANY_CONNECTIONS("too-many-connections", 429, "Too many connections"),
    RATE_LIMITED("rate-limited", 429, "Too many requests"),
    BACKEND_UNAVAILABLE("backend-unavailable", 503, "Storage unavailable"),
    POD_UNAVAILABLE("pod-unavailable", 503, "This pod takes no new connections"),
    INTERNAL("internal", 500, "Internal error");

    private static final String URI_PREFIX = "urn:quiver:problem:";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    /** Short stable name, also used as the {@code reason} label of reject metrics. */
    public String slug() {
        return slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** Whether a bare framework status may be reported as this type. */
    private boolean generic() {
        return this == INVALID_REQUEST || this == UNAUTHORIZED || this == FORBIDDEN || this == NOT_FOUND
                || this == METHOD_NOT_ALLOWED || this == NOT_ACCEPTABLE
                || this == PAYLOAD_TOO_LARGE || this == UNSUPPORTED_MEDIA_TYPE || this == INTERNAL;
    }

    /** The RFC 9457 {@code type} member. */
    public String uri() {
        return URI_PREFIX + slug;
    }

    /** The best-fitting type for a bare HTTP status raised by the framework (unknown path, wrong method...). */
    public static ProblemType forStatus(int status) {
        for (ProblemType type : values()) {
            if (type.status == status && type.generic()) {
                return type;
            }
        }
        return status >= 500 ? INTERNAL : INVALID_REQUEST;
    }
}
