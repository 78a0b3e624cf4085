package dev.quiver.snapshot.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.quiver.contract.config.BrokerKind;

/** The {@link SnapshotReader} of the broker {@code quiver.broker} names; the other one is never created. */
@ApplicationScoped
public class SnapshotReaders {

    @Produces
    @Singleton
    SnapshotReader reader(@ConfigProperty(name = BrokerKind.PROPERTY, defaultValue = "redis") BrokerKind broker,
            Instance<RedisSnapshotReader> redis,
            Instance<NatsSnapshotReader> nats) {
        return switch (broker) {
            case REDIS -> redis.get();
            case NATS -> nats.get();
        };
    }
}
