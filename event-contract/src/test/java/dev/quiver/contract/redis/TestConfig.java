package dev.quiver.contract.redis;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.quiver.contract.config.EventsConfig;
import dev.quiver.contract.config.ReplicationConfig;

/** A hand-built {@link EventsConfig} for tests that run without Quarkus. */
public record TestConfig(long maxLen, Duration maxAge, Map<String, EventsConfig.OverrideLimits> overrides,
        Duration idempotencyWindow, Duration redisTimeout) implements EventsConfig {

    /** Acknowledges once the primary ran the write, as production does by default. */
    public static ReplicationConfig noWait() {
        return replicas(0, Duration.ofSeconds(1));
    }

    /** {@code quiver.ingest.wait-replicas} and {@code wait-timeout}. */
    public static ReplicationConfig replicas(int count, Duration timeout) {
        return new ReplicationConfig() {

            @Override
            public int waitReplicas() {
                return count;
            }

            @Override
            public Duration waitTimeout() {
                return timeout;
            }
        };
    }

    public static TestConfig defaults() {
        return new TestConfig(10_000, Duration.ofHours(24), Map.of(), Duration.ofHours(24), Duration.ofSeconds(2));
    }

    public TestConfig withRetention(long len, Duration age) {
        return new TestConfig(len, age, overrides, idempotencyWindow, redisTimeout);
    }

    public TestConfig withOverride(String glob, Long len, Duration age) {
        Map<String, EventsConfig.OverrideLimits> more = new java.util.HashMap<>(overrides);
        more.put(glob, new EventsConfig.OverrideLimits() {

            @Override
            public OptionalLong maxLen() {
                return len == null ? OptionalLong.empty() : OptionalLong.of(len);
            }

            @Override
            public Optional<Duration> maxAge() {
                return Optional.ofNullable(age);
            }
        });
        return new TestConfig(maxLen, maxAge, more, idempotencyWindow, redisTimeout);
    }

    @Override
    public Retention retention() {
        return new Retention() {

            @Override
            public Limits defaults() {
                return new Limits() {

                    @Override
                    public long maxLen() {
                        return maxLen;
                    }

                    @Override
                    public Duration maxAge() {
                        return maxAge;
                    }
                };
            }

            @Override
            public Map<String, OverrideLimits> topics() {
                return overrides;
            }
        };
    }
}
