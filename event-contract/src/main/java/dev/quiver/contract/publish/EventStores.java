package dev.quiver.contract.publish;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.quiver.contract.config.BrokerKind;
import dev.quiver.contract.nats.NatsEventWriter;
import dev.quiver.contract.redis.EventWriter;

/** The {@link EventStore} of the broker {@code quiver.broker} names; the other one is never created. */
@ApplicationScoped
public class EventStores {

    @Produces
    @Singleton
    EventStore store(@ConfigProperty(name = BrokerKind.PROPERTY, defaultValue = "redis") BrokerKind broker,
            Instance<EventWriter> redis, Instance<NatsEventWriter> nats) {
        return switch (broker) {
            case REDIS -> redis.get();
            case NATS -> nats.get();
        };
    }
}
