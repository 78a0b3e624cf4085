package dev.quiver.contract.health;

import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.nats.client.Connection;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

import dev.quiver.contract.config.BrokerKind;
import dev.quiver.contract.config.HealthConfig;
import dev.quiver.contract.nats.NatsBroker;

/**
 * Ready while the broker answers within {@link HealthConfig#redisTimeout()}: Redis a PING, NATS a connected client
 * and the events' stream found. Replaces the Redis client's own check ({@code quarkus.redis.health.enabled=false}),
 * which waits as long as Redis does: a frozen Redis left the readiness endpoint silent for many seconds, so probes
 * timed out instead of reading DOWN.
 */
@Readiness
@ApplicationScoped
public class BrokerReadiness implements AsyncHealthCheck {

    private final Redis redis;
    private final HealthConfig config;
    private final BrokerKind broker;
    private final Instance<NatsBroker> nats;

    public BrokerReadiness(Redis redis, HealthConfig config,
            @ConfigProperty(name = BrokerKind.PROPERTY, defaultValue = "redis") BrokerKind broker,
            Instance<NatsBroker> nats) {
        this.redis = redis;
        this.config = config;
        this.broker = broker;
        this.nats = nats;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Uni<Void> answer = broker == BrokerKind.NATS
                ? nats()
                : redis.send(Request.cmd(Command.PING))
                        .replaceWithVoid();
        String name = broker == BrokerKind.NATS ? "NATS" : "Redis";
        return answer
                .ifNoItem().after(config.redisTimeout()).fail()
                .map(ok -> HealthCheckResponse.named(name).up().build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(name).down()
                        .withData("error", failure instanceof TimeoutException
                                ? "no answer within " + config.redisTimeout().toMillis() + " ms"
                                : failure.getMessage() != null ? failure.getMessage() : failure.toString())
                        .build());
    }

    /**
     * Connected, answering, and the stream known (read, and created if missing, on the first check): blocking, on a
     * worker.
     */
    private Uni<Void> nats() {
        return Uni.createFrom().<Void>item(() -> {
            NatsBroker client = nats.get();
            Connection.Status status = client.status();
            if (status != Connection.Status.CONNECTED) {
                throw new IllegalStateException("NATS connection is " + status);
            }
            try {
                // A round trip: a frozen server keeps the connection "connected" for minutes.
                client.connection().flush(config.redisTimeout());
                client.epoch();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("NATS did not answer within " + config.redisTimeout().toMillis()
                        + " ms", e);
            } catch (Exception e) {
                throw new IllegalStateException("the NATS stream cannot be read: " + e.getMessage(), e);
            }
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
