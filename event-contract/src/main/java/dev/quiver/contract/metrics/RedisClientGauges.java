package dev.quiver.contract.metrics;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * Drops the two per-endpoint gauges Quarkus' Vert.x binder registers for a Redis client ({@code redis.queue.size} and
 * {@code redis.current}, tagged {@code clientType=redis}). Vert.x creates them once per server a client talks to, but
 * their tags name only the client, not the server: against a Redis Cluster (six nodes) or after a reconnect the second
 * one collides with the first, Micrometer keeps the first (a node's, or a closed connection's) and warns "Gauge already
 * registered" at startup. A gauge that shows one node out of six is worse than none; the client's timers and counters
 * ({@code redis.processing}, {@code redis.queue.delay}, ...), which add up across servers correctly, and the pool
 * gauges ({@code redis.pool.*}, one per client) stay.
 */
@Singleton
public class RedisClientGauges {

    @Produces
    @Singleton
    MeterFilter perEndpointRedisGauges() {
        return new MeterFilter() {

            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return isPerEndpointRedisGauge(id) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }
        };
    }

    static boolean isPerEndpointRedisGauge(Meter.Id id) {
        return id.getType() == Meter.Type.GAUGE && "redis".equals(id.getTag("clientType"))
                && ("redis.queue.size".equals(id.getName()) || "redis.current".equals(id.getName()));
    }
}
