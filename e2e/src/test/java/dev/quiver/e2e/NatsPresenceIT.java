package dev.quiver.e2e;

import java.util.Map;

import dev.quiver.testkit.NatsServer;

/**
 * {@link PresenceIT} on NATS JetStream (docs/nats.md, "Presence"): one member per subject across two pods and their
 * transports, joins and leaves seen on the other pod, a SIGKILLed pod's members gone within the timeout and one
 * refresh, snapshot-api's list; one real nats-server instead of Redis.
 */
class NatsPresenceIT extends PresenceIT {

    @Override
    Map<String, String> startBroker() {
        NatsServer nats = NatsServer.start();
        broker(nats);
        return BrokerSettings.nats(nats);
    }

    /** Not a test here: Redis Cluster is Redis's topology. */
    @Override
    void presenceWorksOnARedisCluster() {
    }
}
