package dev.quiver.contract.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import dev.quiver.contract.event.TopicPatterns;

/**
 * Presence: who is connected to a topic, across every pod (docs/presence.md). Read by the edge, which keeps it, and by
 * snapshot-api, which lists it; both must agree on which topics have it and on how long a dead pod's members stay.
 */
@ConfigMapping(prefix = "quiver.presence")
public interface PresenceConfig {

    /**
     * Topic globs that have presence ({@code *} matches any run of characters, e.g. {@code room:*}). Empty, the
     * default: no topic has it. Presence costs Redis work per topic, so only the topics that show it should pay.
     */
    Optional<List<String>> topics();

    /**
     * How often a pod renews its lease on each topic it has connections in: one Redis call per topic per interval,
     * whatever the number of members. Keep it well below {@link #timeout()}.
     */
    @WithDefault("5s")
    Duration refreshInterval();

    /**
     * How long a pod's members stay after its last renewal. The members of a pod that died without saying goodbye
     * (SIGKILL, a lost node) leave at most this plus one {@link #refreshInterval()} later.
     */
    @WithDefault("15s")
    Duration timeout();

    /**
     * How long joins and leaves wait on the pod to be written together: a connection that drops and comes back within
     * it costs Redis nothing and is never seen as having left.
     */
    @WithDefault("100ms")
    Duration flushInterval();

    /**
     * How long a long-poll client stays present after its poll answered, waiting for its next poll (on any pod). Keep
     * it above the poll timeout clients use (25 s by default).
     */
    @WithDefault("35s")
    Duration pollWindow();

    /** The topics of {@link #topics()} as patterns. */
    default TopicPatterns patterns() {
        return TopicPatterns.of(topics().orElse(List.of()));
    }
}
