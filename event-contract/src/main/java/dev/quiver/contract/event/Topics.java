package dev.quiver.contract.event;

import java.util.regex.Pattern;

/**
 * Topic naming rules. A topic name becomes part of Redis keys and URLs, so the alphabet is deliberately small: no
 * braces (they would break the Redis Cluster hash tag), no slashes, no spaces.
 */
public final class Topics {

    /** The public rule, also quoted in the API docs. */
    public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._:-]{0,199}";

    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private Topics() {
    }

    /** Whether {@code topic} is a valid topic name; {@code null} is not. */
    public static boolean isValid(String topic) {
        return topic != null && COMPILED.matcher(topic).matches();
    }
}
