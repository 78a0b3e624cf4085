package dev.quiver.contract.publish;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.quiver.contract.config.BrokerConfig;
import dev.quiver.contract.nats.NatsEventWriter;
import dev.quiver.contract.redis.EventWriter;

/** The {@link EventStore} of the broker {@code quiver.broker} names; the other one is never created. */
@ApplicationScoped
public class EventStores {

    @Produces
    @Singleton
    EventStore store(BrokerConfig config, Instance<EventWriter> redis, Instance<NatsEventWriter> nats) {
        return switch (config.broker()) {
            case REDIS -> redis.get();
            case NATS -> nats.get();
        };
    }
}
