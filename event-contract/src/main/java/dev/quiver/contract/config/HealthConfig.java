package dev.quiver.contract.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Health checks shared by every service. */
@ConfigMapping(prefix = "quiver.health")
public interface HealthConfig {

    /**
     * How long the readiness check waits for the broker (Redis to answer PING; NATS to be connected with its stream
     * found) before it reports DOWN. Short, so that a frozen broker (which accepts connections and answers nothing) makes the probe fail within the probe's own timeout
     * instead of hanging it.
     */
    @WithDefault("1s")
    Duration redisTimeout();
}
