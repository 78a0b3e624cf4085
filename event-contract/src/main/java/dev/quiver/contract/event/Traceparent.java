package dev.quiver.contract.event;

import java.util.regex.Pattern;

/**
 * A W3C Trace Context {@code traceparent} (version 00), as stored with an event and shown to its subscribers
 * (docs/operations.md, "Tracing"). Only well-formed values are kept: the header is client input.
 */
public final class Traceparent {

    private static final Pattern FORM = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);

    private Traceparent() {
    }

    /** {@code value} when it is a valid version-00 traceparent (ids not all zero), else {@code null}. */
    public static String valid(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        var matcher = FORM.matcher(trimmed);
        if (!matcher.matches() || matcher.group(1).equals(ZERO_TRACE) || matcher.group(2).equals(ZERO_SPAN)) {
            return null;
        }
        return trimmed;
    }

    /** The traceparent of a span context's parts. */
    public static String of(String traceId, String spanId, boolean sampled) {
        return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
    }
}
