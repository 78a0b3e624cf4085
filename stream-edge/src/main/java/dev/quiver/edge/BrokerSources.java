package dev.quiver.edge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.Vertx;

import dev.quiver.contract.config.BrokerKind;
import dev.quiver.contract.config.PresenceConfig;
import dev.quiver.contract.nats.NatsBroker;
import dev.quiver.contract.nats.NatsPresence;
import dev.quiver.contract.nats.NatsRetention;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.broker.LiveSource;
import dev.quiver.edge.broker.SharedHistory;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.nats.NatsHistory;
import dev.quiver.edge.nats.NatsLiveSource;
import dev.quiver.edge.redis.RedisBroker;

/**
 * The pod's broker, the one {@code quiver.broker} names (Redis by default, or NATS JetStream: docs/nats.md): its
 * history reads and its live reader. The other broker's beans are never created.
 */
@ApplicationScoped
public class BrokerSources {

    private final BrokerKind broker;

    public BrokerSources(@ConfigProperty(name = BrokerKind.PROPERTY, defaultValue = "redis") BrokerKind broker) {
        this.broker = broker;
    }

    @Produces
    @Singleton
    HistorySource history(Instance<RedisBroker> redis, Instance<NatsBroker> nats,
            Instance<NatsRetention> retention, Vertx vertx, EdgeMetrics metrics) {
        return switch (broker) {
            case REDIS -> redis.get().history();
            case NATS -> new SharedHistory(new NatsHistory(vertx, nats.get(), retention.get(), metrics));
        };
    }

    @Produces
    @Singleton
    LiveSource liveSource(HistorySource history, Instance<RedisBroker> redis, Instance<NatsBroker> nats,
            Instance<NatsPresence> presence, PresenceConfig presenceConfig, Vertx vertx, EdgeConfig config,
            EdgeMetrics metrics) {
        return switch (broker) {
            case REDIS -> redis.get().liveSource(history);
            case NATS -> new NatsLiveSource(vertx, nats.get(), presence.get(), presenceConfig, config, metrics);
        };
    }
}
