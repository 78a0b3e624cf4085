package dev.quiver.snapshot.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;

import dev.quiver.contract.config.BrokerKind;
import dev.quiver.contract.nats.NatsPresence;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.redis.LuaScript;
import dev.quiver.contract.redis.PresenceLayout;

/**
 * Reads a topic's presence (docs/presence.md). On Redis the read first lets go of pods whose lease ended, so a list
 * never shows the members of a pod that died, even when no other pod is left to notice it; that is a write, so it runs
 * on the primary. On NATS the pods' records are read and joined ({@code NatsPresence}); a dead pod's record has aged
 * out of the stream.
 */
@ApplicationScoped
public class PresenceReader {

    private final Redis redis;
    private final Instance<NatsPresence> nats;
    private final BrokerKind broker;

    public PresenceReader(Redis redis, Instance<NatsPresence> nats,
            @ConfigProperty(name = BrokerKind.PROPERTY, defaultValue = "redis") BrokerKind broker) {
        this.redis = redis;
        this.nats = nats;
        this.broker = broker;
    }

    /** Up to {@code limit} members after the subject {@code after} ({@code null}: from the first), with the counts. */
    public Uni<PresenceLayout.Page> page(String topic, String after, int limit) {
        if (broker == BrokerKind.NATS) {
            return nats.get().page(topic, after, limit);
        }
        return LuaScript.PRESENCE.run(redis, PresenceLayout.keys(topic), PresenceLayout.pageArgs(after, limit))
                .onFailure(e -> !(e instanceof ProblemException)).transform(PresenceReader::unavailable)
                .map(reply -> PresenceLayout.page(reply.getDelegate()));
    }

    /** The counts alone. */
    public Uni<PresenceLayout.Page> count(String topic) {
        if (broker == BrokerKind.NATS) {
            return nats.get().count(topic);
        }
        return LuaScript.PRESENCE.run(redis, PresenceLayout.keys(topic), PresenceLayout.countArgs())
                .onFailure(e -> !(e instanceof ProblemException)).transform(PresenceReader::unavailable)
                .map(reply -> PresenceLayout.count(reply.getDelegate()));
    }

    private static Throwable unavailable(Throwable failure) {
        return ProblemException.unavailable("Redis is unavailable", 1, failure);
    }
}
