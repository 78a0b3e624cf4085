package dev.quiver.contract.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong();
    private final RateLimiter.Limit tenPerSecond = new RateLimiter.Limit(10, 5);

    @Test
    void burstThenSustainedRateWithRetryAfter() {
        RateLimiter limiter = new RateLimiter(100, now::get);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.acquire("k", tenPerSecond, 1)).isZero();
        }
        assertThat(limiter.acquire("k", tenPerSecond, 1)).as("the burst is spent: wait one token's time")
                .isEqualTo(100);
        now.addAndGet(100_000_000L);
        assertThat(limiter.acquire("k", tenPerSecond, 1)).isZero();
        assertThat(limiter.acquire("other", tenPerSecond, 1)).as("keys are independent").isZero();
    }

    @Test
    void aLargeBatchGoesThroughOnceAndThenPaysItsDebt() {
        RateLimiter limiter = new RateLimiter(100, now::get);
        assertThat(limiter.acquire("k", tenPerSecond, 50)).isZero();
        // 5 - 50 = -45 tokens: 4.6 s until the bucket holds one again.
        assertThat(limiter.acquire("k", tenPerSecond, 1)).isEqualTo(4600);
        now.addAndGet(4_600_000_000L);
        assertThat(limiter.acquire("k", tenPerSecond, 1)).isZero();
    }

    @Test
    void aFloodOfDistinctKeysNeitherGrowsTheTableNorEscapesTheLimit() {
        RateLimiter limiter = new RateLimiter(10, now::get);
        int allowed = 0;
        for (int i = 0; i < 1000; i++) {
            if (limiter.acquire("ip-" + i, tenPerSecond, 1) == 0) {
                allowed++;
            }
        }
        assertThat(limiter.size()).isLessThanOrEqualTo(11);
        // 10 own buckets of 5, then everyone shares one overflow bucket of 5.
        assertThat(allowed).isEqualTo(15);
        now.addAndGet(61_000_000_000L);
        assertThat(limiter.acquire("late", tenPerSecond, 1)).as("idle buckets make room").isZero();
        assertThat(limiter.size()).isLessThanOrEqualTo(11);
    }
}
