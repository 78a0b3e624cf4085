package dev.quiver.contract.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class LogThrottleTest {

    @Test
    void oneLinePerKindAndIntervalEachCountingWhatWasDropped() {
        AtomicLong clock = new AtomicLong(1_000);
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), clock::get);
        assertThat(throttle.admit("backend-unavailable")).isZero();
        for (int i = 0; i < 500; i++) {
            assertThat(throttle.admit("backend-unavailable")).isEqualTo(-1);
        }
        assertThat(throttle.admit("internal")).as("another kind has its own budget").isZero();
        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(throttle.admit("backend-unavailable")).isEqualTo(-1);
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(throttle.admit("backend-unavailable")).isEqualTo(501);
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(throttle.admit("backend-unavailable")).isZero();
    }
}
