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
        return BrokerSettings.nats(nats);
    }
}
