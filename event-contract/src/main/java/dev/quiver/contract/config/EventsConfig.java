package dev.quiver.contract.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * How events are written, shared by every service that writes them (ingest today, WebSocket publish later), so that
 * both apply the same retention and deduplication.
 */
@ConfigMapping(prefix = "quiver.events")
public interface EventsConfig {

    /** History retention; the topic state is never trimmed. */
    Retention retention();

    /**
     * How long an idempotency key is remembered. A retry inside this window returns the first attempt's id and writes
     * nothing; after it, the same key writes a new event.
     */
    @WithDefault("24h")
    Duration idempotencyWindow();

    /**
     * How long a write may wait for Redis before the request fails with 503. The wait includes queueing for a pooled
     * connection, so an overloaded pod times out too. A write that times out may still land later: clients retry with
     * an idempotency key to stay exactly-once.
     */
    @WithDefault("5s")
    Duration redisTimeout();

    /** History retention: the defaults, and overrides by topic pattern. */
    interface Retention {

        /** Defaults for topics no override matches. */
        @WithParentName
        Limits defaults();

        /**
         * Overrides by topic glob ({@code *} matches any run of characters, e.g. {@code orders:*}). When several
         * match, the longest pattern wins. A limit an override leaves out comes from the defaults.
         */
        Map<String, OverrideLimits> topics();
    }

    /** Retention limits; both apply, whichever trims more. */
    interface Limits {

        /** Approximate number of events kept per topic (Redis {@code MAXLEN ~}); 0 keeps any number. */
        @WithDefault("10000")
        long maxLen();

        /** Approximate age of the oldest event kept (Redis {@code MINID ~}); 0 keeps events of any age. */
        @WithDefault("24h")
        Duration maxAge();
    }

    /** Retention limits of one override; an absent one falls back to the defaults. */
    interface OverrideLimits {

        /** See {@link Limits#maxLen()}. */
        OptionalLong maxLen();

        /** See {@link Limits#maxAge()}. */
        Optional<Duration> maxAge();
    }
}
