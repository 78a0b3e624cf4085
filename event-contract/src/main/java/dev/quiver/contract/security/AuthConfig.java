package dev.quiver.contract.security;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Authentication and authorization, shared by every service (docs/security.md). Secrets come from the environment or
 * from files (a mounted Kubernetes Secret); none is ever logged, exported as a metric or written into an answer.
 */
@ConfigMapping(prefix = "quiver.auth")
public interface AuthConfig {

    /**
     * Whether credentials are checked at all. {@code false} allows every request to every topic and is meant for
     * local development only: the service logs a warning at startup when it is off.
     */
    @WithDefault("true")
    boolean enabled();

    /** Topic globs anyone may read without a token (for example {@code public:*}). Empty: every topic needs one. */
    Optional<List<String>> publicTopics();

    /**
     * Publisher API keys by name. The name is the identity of the key in audit lines and rate limits, never a secret.
     * Several keys may allow the same topics, which is how a key is rotated: add the new one, move the callers, then
     * remove the old one.
     */
    Map<String, PublisherKey> publisherKeys();

    /**
     * A file of publisher keys, one per line: {@code <name> sha256:<hex> <glob>[,<glob>...]}; blank lines and lines
     * starting with {@code #} are ignored. Meant for a mounted Kubernetes Secret; re-read every
     * {@link #reloadInterval()}.
     */
    Optional<Path> publisherKeysFile();

    /** Subscriber (and WebSocket publisher) tokens. */
    Jwt jwt();

    /** How often key files and the JWKS are read again, so that rotated secrets apply without a restart. */
    @WithDefault("5m")
    Duration reloadInterval();

    /**
     * How long a streaming connection may outlive its token's {@code exp} before it is closed (SSE
     * {@code event: reauth}, WebSocket 1008). Gives clients time to reconnect with a fresh token.
     */
    @WithDefault("30s")
    Duration expiryGrace();

    /** Default publish rate limits per publisher (key or token subject), per pod. */
    Rate publishRate();

    /** At most this many audit lines per second are logged; the rest are counted and reported in the next line. */
    @WithDefault("20")
    int auditLinesPerSecond();

    /** One publisher API key. Give {@code hash} (preferred) or {@code key}; never both. */
    interface PublisherKey {

        /** {@code sha256:<64 hex digits>} of the key: what configuration should hold. */
        Optional<String> hash();

        /** The key itself, for keys injected through the environment; hashed at startup and then forgotten. */
        Optional<String> key();

        /** Topic globs the key may publish to. */
        List<String> topics();

        /** Overrides of the default publish rate for this key. */
        Optional<Double> eventsPerSecond();

        Optional<Integer> burst();
    }

    /** JWT validation. A token is accepted when signed by one of the configured keys and its claims check out. */
    interface Jwt {

        /** Shared secret for HS256 tokens, at least 32 bytes. Unset: HS256 tokens are refused. */
        Optional<String> hs256Secret();

        /** A file holding the HS256 secret (trailing newline ignored); takes precedence over {@link #hs256Secret()}. */
        Optional<Path> hs256SecretFile();

        /** A JWKS document with the RS256/ES256 public keys, fetched and cached; refreshed every reload interval. */
        Optional<URI> jwksUrl();

        /** A JWKS document on disk (a mounted Secret or ConfigMap). */
        Optional<Path> jwksFile();

        /** Required {@code iss}. Must be set when any key is configured. */
        Optional<String> issuer();

        /** Required {@code aud}: the token must name this audience. */
        @WithDefault("quiver")
        String audience();

        /** Tolerated clock difference for {@code exp} and {@code nbf}. */
        @WithDefault("30s")
        Duration clockSkew();

        /** Tokens valid for longer than this are refused, so a leaked token cannot live forever. */
        @WithDefault("24h")
        Duration maxLifetime();

        /** Shortest time between two JWKS fetches triggered by an unknown key id. */
        @WithDefault("30s")
        Duration jwksMinRefresh();
    }

    /** A token bucket. */
    interface Rate {

        /** Sustained events per second. */
        @WithDefault("1000")
        double eventsPerSecond();

        /** Events that may be sent at once above the sustained rate. */
        @WithDefault("2000")
        int burst();
    }
}
