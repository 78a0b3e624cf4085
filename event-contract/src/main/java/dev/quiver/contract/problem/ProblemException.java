package dev.quiver.contract.problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one exception the services throw for a client-visible error. It carries everything the problem+json body
 * needs; the mappers turn it into a response.
 */
public class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ProblemType type;
    private final transient Map<String, Object> extensions;
    private final Integer retryAfterSeconds;
    private final transient Map<String, String> headers;

    private ProblemException(ProblemType type, String detail, Map<String, Object> extensions, Integer retryAfter,
            Map<String, String> headers, Throwable cause) {
        // Stack traces of client errors are noise; keep them only when there is a cause worth logging.
        super(detail, cause, false, cause != null);
        this.type = type;
        this.extensions = extensions;
        this.retryAfterSeconds = retryAfter;
        this.headers = headers;
    }

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, Map.of(), null, Map.of(), null);
    }

    /** A 503 that tells the client when to try again. */
    public static ProblemException unavailable(String detail, int retryAfterSeconds, Throwable cause) {
        return new ProblemException(ProblemType.BACKEND_UNAVAILABLE, detail, Map.of(), retryAfterSeconds, Map.of(),
                cause);
    }

    /** A copy with one more extension member (for example {@code field} or {@code index}). */
    public ProblemException with(String member, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(member, value);
        return new ProblemException(type, getMessage(), more, retryAfterSeconds, headers, getCause());
    }

    /** A copy with one more response header (for example {@code WWW-Authenticate}). */
    public ProblemException withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ProblemException(type, getMessage(), extensions, retryAfterSeconds, more, getCause());
    }

    /** A copy that tells the client, in {@code Retry-After}, when to try again. */
    public ProblemException retryAfter(int seconds) {
        return new ProblemException(type, getMessage(), extensions, seconds, headers, getCause());
    }

    /** A copy of another type with the same detail, members and Retry-After (for example a 503 of another kind). */
    public ProblemException retype(ProblemType other) {
        return new ProblemException(other, getMessage(), extensions, retryAfterSeconds, headers, getCause());
    }

    public ProblemType type() {
        return type;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    /** Response headers beyond {@code Retry-After}; never secrets. */
    public Map<String, String> headers() {
        return headers;
    }

    /** Seconds for a {@code Retry-After} header, or {@code null} for none. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
