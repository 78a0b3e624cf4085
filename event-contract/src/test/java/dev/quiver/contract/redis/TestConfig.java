package dev.quiver.contract.redis;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.quiver.contract.config.EventsConfig;

/** A hand-built {@link EventsConfig} for tests that run without Quarkus. */
record TestConfig(long maxLen, Duration maxAge, Map<String, EventsConfig.OverrideLimits> overrides,
        Duration idempotencyWindow, Duration redisTimeout) implements EventsConfig {

    static TestConfig defaults() {
        return new TestConfig(10_000, Duration.ofHours(24), Map.of(), Duration.ofHours(24), Duration.ofSeconds(2));
    }

    TestConfig withRetention(long len, Duration age) {
        return new TestConfig(len, age, overrides, idempotencyWindow, redisTimeout);
    }

    TestConfig withOverride(String glob, Long len, Duration age) {
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
