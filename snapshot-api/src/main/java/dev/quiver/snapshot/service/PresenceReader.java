package dev.quiver.snapshot.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;

import dev.quiver.contract.config.BrokerKind;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.redis.LuaScript;
import dev.quiver.contract.redis.PresenceLayout;

/**
 * Reads a topic's presence (docs/presence.md). The read first lets go of pods whose lease ended, so a list never shows
 * the members of a pod that died, even when no other pod is left to notice it; that is a write, so it runs on the
 * primary.
 */
@ApplicationScoped
public class PresenceReader {

    private final Redis redis;
    private final BrokerKind broker;

    public PresenceReader(Redis redis,
            @ConfigProperty(name = BrokerKind.PROPERTY, defaultValue = "redis") BrokerKind broker) {
        this.redis = redis;
        this.broker = broker;
    }

    /** Up to {@code limit} members after the subject {@code after} ({@code null}: from the first), with the counts. */
    public Uni<PresenceLayout.Page> page(String topic, String after, int limit) {
        if (broker != BrokerKind.REDIS) {
            return Uni.createFrom().failure(notSupported());
        }
        return LuaScript.PRESENCE.run(redis, PresenceLayout.keys(topic), PresenceLayout.pageArgs(after, limit))
                .onFailure(e -> !(e instanceof ProblemException)).transform(PresenceReader::unavailable)
                .map(reply -> PresenceLayout.page(reply.getDelegate()));
    }

    /** The counts alone. */
    public Uni<PresenceLayout.Page> count(String topic) {
        if (broker != BrokerKind.REDIS) {
            return Uni.createFrom().failure(notSupported());
        }
        return LuaScript.PRESENCE.run(redis, PresenceLayout.keys(topic), PresenceLayout.countArgs())
                .onFailure(e -> !(e instanceof ProblemException)).transform(PresenceReader::unavailable)
                .map(reply -> PresenceLayout.count(reply.getDelegate()));
    }

    /** Presence keeps its members in Redis (presence.lua); on NATS it is not there yet, and says so. */
    private static ProblemException notSupported() {
        return new ProblemException(ProblemType.NOT_SUPPORTED,
                "Presence is not available with quiver.broker=nats yet (docs/nats.md)");
    }

    private static Throwable unavailable(Throwable failure) {
        return ProblemException.unavailable("Redis is unavailable", 1, failure);
    }
}
