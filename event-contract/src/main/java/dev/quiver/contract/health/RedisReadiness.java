package dev.quiver.contract.health;

import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

import dev.quiver.contract.config.HealthConfig;

/**
 * Ready while Redis answers PING within {@link HealthConfig#redisTimeout()}. Replaces the Redis client's own check
 * ({@code quarkus.redis.health.enabled=false}), which waits as long as Redis does: a frozen Redis left the readiness
 * endpoint silent for many seconds, so probes timed out instead of reading DOWN.
 */
@Readiness
@ApplicationScoped
public class RedisReadiness implements AsyncHealthCheck {

    private static final String NAME = "Redis";

    private final Redis redis;
    private final HealthConfig config;

    public RedisReadiness(Redis redis, HealthConfig config) {
        this.redis = redis;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return redis.send(Request.cmd(Command.PING))
                .ifNoItem().after(config.redisTimeout()).fail()
                .map(pong -> HealthCheckResponse.named(NAME).up().build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("error", failure instanceof TimeoutException
                                ? "no answer within " + config.redisTimeout().toMillis() + " ms"
                                : String.valueOf(failure.getMessage()))
                        .build());
    }
}
