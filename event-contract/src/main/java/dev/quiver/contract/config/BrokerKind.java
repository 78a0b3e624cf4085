package dev.quiver.contract.config;

/**
 * The broker that holds the events: {@code quiver.broker}, the same for all three services. Read as a plain property
 * ({@code @ConfigProperty(name = "quiver.broker", defaultValue = "redis")}), not a mapping: a mapping rooted at
 * {@code quiver} would claim every {@code quiver.*} key and refuse the ones another service's mapping owns.
 */
public enum BrokerKind {

    /** Redis Streams, standalone, Sentinel or Cluster ({@code quarkus.redis.*}): the default. */
    REDIS,
    /** NATS JetStream ({@code quiver.nats.*}, docs/nats.md). */
    NATS;

    /** The property. */
    public static final String PROPERTY = "quiver.broker";
}
