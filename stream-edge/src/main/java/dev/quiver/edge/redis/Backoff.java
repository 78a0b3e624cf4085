package dev.quiver.edge.redis;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** How long a live reader waits before trying Redis again. */
final class Backoff {

    private Backoff() {
    }

    /**
     * Exponential from 50 ms up to {@code max}, with full jitter: pods that lost Redis together do not come back in
     * lockstep.
     *
     * @param failures attempts that failed in a row, at least 1
     */
    static long delay(int failures, Duration max) {
        long ceiling = Math.min(max.toMillis(), 50L << Math.min(failures, 16));
        return Math.max(10, ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }
}
