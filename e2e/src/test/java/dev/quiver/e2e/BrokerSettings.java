package dev.quiver.e2e;

import java.util.Map;

import dev.quiver.testkit.NatsServer;
import dev.quiver.testkit.RedisServer;

/** The settings every service of a stack needs for the broker it runs on. */
final class BrokerSettings {

    private BrokerSettings() {
    }

    static Map<String, String> redis(RedisServer redis) {
        return Map.of("quarkus.redis.hosts", redis.uri());
    }

    /** The services' Redis client is still configured; on NATS nothing connects to it. */
    static Map<String, String> nats(NatsServer nats) {
        return Map.of("quiver.broker", "nats", "quiver.nats.url", nats.url(), "quarkus.redis.hosts",
                "redis://127.0.0.1:1");
    }
}
