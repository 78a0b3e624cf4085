package dev.quiver.contract.security;

import java.time.Instant;
import java.util.List;

import dev.quiver.contract.event.TopicPatterns;

/**
 * Who is calling and what they may do, after {@link Authenticator} checked their credentials.
 *
 * @param kind how the caller proved who they are
 * @param subject the identity: a publisher key's name, a token's {@code sub}; {@code null} for anonymous callers
 * @param subscribe topics the caller may read, beyond the public ones
 * @param publish topics the caller may write
 * @param expiresAt when the credential stops being valid; {@code null} when it does not expire
 * @param keyDigest for an API key, the hex SHA-256 of the key, to notice its removal from a live connection
 * @param info a token's {@code quiver.info} claim as compact JSON (an object of at most {@link #MAX_INFO} bytes), shown
 *        to others in presence; {@code null} when it has none
 */
public record Principal(Kind kind, String subject, TopicPatterns subscribe, TopicPatterns publish,
        Instant expiresAt, String keyDigest, String info) {

    /** The largest {@code quiver.info} claim, in bytes of compact JSON: it travels with every presence change. */
    public static final int MAX_INFO = 1024;

    /** How a caller authenticated. */
    public enum Kind {
        /** No credentials: public topics only. */
        ANONYMOUS,
        /** A publisher API key. */
        API_KEY,
        /** A signed JWT. */
        TOKEN,
        /** Authentication is switched off (local development): everything is allowed. */
        OPEN
    }

    private static final TopicPatterns EVERYTHING = TopicPatterns.of(List.of("*"));

    /** Anyone at all, when authentication is off. */
    public static final Principal OPEN = new Principal(Kind.OPEN, null, EVERYTHING, EVERYTHING, null, null, null);

    /** A caller without credentials. */
    public static final Principal ANONYMOUS = new Principal(Kind.ANONYMOUS, null, TopicPatterns.none(),
            TopicPatterns.none(), null, null, null);

    /** The key limits and rates are counted under: the subject, prefixed by its kind so names cannot collide. */
    public String limitKey() {
        return switch (kind) {
            case API_KEY -> "key:" + subject;
            case TOKEN -> "sub:" + subject;
            default -> null;
        };
    }

    /** The subject shown in presence: a token's {@code sub}; nobody else (keys are services, not people) is listed. */
    public String presenceSubject() {
        return kind == Kind.TOKEN ? subject : null;
    }
}
