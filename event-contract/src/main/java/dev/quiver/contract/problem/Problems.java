package dev.quiver.contract.problem;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds RFC 9457 bodies, so that JAX-RS mappers and raw Vert.x handlers answer with the same shape. */
public final class Problems {

    /** The media type of every error body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /**
     * The problem body as an ordered map: {@code type}, {@code title}, {@code status}, {@code detail},
     * {@code instance}, then the extension members.
     */
    public static Map<String, Object> body(ProblemType type, String detail, String instance, Map<String, Object> ext) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri());
        body.put("title", type.title());
        body.put("status", type.status());
        if (detail != null) {
            body.put("detail", detail);
        }
        if (instance != null) {
            body.put("instance", instance);
        }
        ext.forEach(body::putIfAbsent);
        return body;
    }
}
