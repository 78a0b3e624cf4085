package dev.quiver.contract.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class RedisClientGaugesTest {

    @Test
    void dropsOnlyThePerEndpointGaugesOfRedisClients() {
        MeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new RedisClientGauges().perEndpointRedisGauges());

        for (int node = 0; node < 6; node++) {
            Gauge.builder("redis.queue.size", () -> 1).tags("clientName", "<default>", "clientType", "redis")
                    .register(registry);
            Gauge.builder("redis.current", () -> 1).tags("clientName", "<default>", "clientType", "redis")
                    .register(registry);
        }
        Gauge.builder("redis.pool.queue.size", () -> 1).tags("pool.name", "reader", "pool.type", "redis")
                .register(registry);
        Gauge.builder("http.queue.size", () -> 1).tags("clientName", "x", "clientType", "http").register(registry);
        Timer.builder("redis.processing").tags("clientName", "<default>", "clientType", "redis").register(registry);
        Counter.builder("quiver_edge_deliveries").register(registry);

        assertThat(registry.find("redis.queue.size").meters()).isEmpty();
        assertThat(registry.find("redis.current").meters()).isEmpty();
        assertThat(registry.find("redis.pool.queue.size").gauge()).isNotNull();
        assertThat(registry.find("http.queue.size").gauge()).isNotNull();
        assertThat(registry.find("redis.processing").timer()).isNotNull();
        assertThat(registry.find("quiver_edge_deliveries").counter()).isNotNull();
    }
}
