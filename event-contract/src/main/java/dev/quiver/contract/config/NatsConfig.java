package dev.quiver.contract.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * How to reach NATS, and the names Quiver's data has there (docs/nats.md); read only with {@code quiver.broker=nats}
 * ({@link BrokerKind}). All three services read the same settings: they read and write the same stream.
 */
@ConfigMapping(prefix = "quiver.nats")
public interface NatsConfig {

    /** The servers, comma-separated: every node of a cluster, or one address in front of them. */
    @WithDefault("nats://localhost:4222")
    List<String> url();

    /** A credentials file (JWT and NKey seed) for a server with decentralised auth. */
    Optional<String> credentials();

    /** A token, for a server that authenticates by token. */
    Optional<String> token();

    /** A user name, with {@link #password()}. */
    Optional<String> user();

    /** The password of {@link #user()}. */
    Optional<String> password();

    /** The events' stream; floors live in the stream of the same name with {@code _META}. */
    @WithDefault("QUIVER")
    String stream();

    /** The first token of every subject Quiver uses. */
    @WithName("subject-prefix")
    @WithDefault("quiver")
    String subjectPrefix();

    /** Replicas of the streams when Quiver creates them: 3 on a three-node cluster. */
    @WithDefault("1")
    int replicas();

    /** How long a JetStream request (a publish, a read) may take before it fails (503 for a publish). */
    @WithDefault("5s")
    Duration timeout();
}
