package dev.quiver.e2e;

import java.util.Map;

import dev.quiver.testkit.NatsServer;

/**
 * {@link CrossPodIT} on NATS JetStream (docs/nats.md): the same clients moving between pods, the same SIGKILLs and
 * drains, on one real nats-server instead of Redis. Nothing may be lost or repeated there either.
 */
class NatsCrossPodIT extends CrossPodIT {

    @Override
    Map<String, String> startBroker() {
        NatsServer nats = NatsServer.start();
        broker(nats);
        // The services' Redis client is still configured; on NATS nothing connects to it.
        return Map.of("quiver.broker", "nats", "quiver.nats.url", nats.url(), "quarkus.redis.hosts",
                "redis://127.0.0.1:1");
    }
}
