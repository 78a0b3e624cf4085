package dev.quiver.contract.problem;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per kind and interval, for failures that repeat with every request while a dependency is down:
 * a five-second Redis outage under load would otherwise write thousands of identical lines. The first line of a kind
 * is written at once; the next one says how many were dropped since. Kinds are a small fixed set (problem slugs).
 */
public final class LogThrottle {

    private static final long NEVER = Long.MIN_VALUE;

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Kind> kinds = new ConcurrentHashMap<>();

    private static final class Kind {

        final AtomicLong lastWritten = new AtomicLong(NEVER);
        final AtomicLong dropped = new AtomicLong();
    }

    public LogThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    /** With a clock of its own, for tests. */
    public LogThrottle(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Whether a line of {@code kind} may be written now.
     *
     * @return {@code -1} to drop the line; otherwise how many lines of this kind were dropped since the last one
     */
    public long admit(String kind) {
        Kind state = kinds.computeIfAbsent(kind, k -> new Kind());
        long now = nanoTime.getAsLong();
        long last = state.lastWritten.get();
        if ((last != NEVER && now - last < intervalNanos) || !state.lastWritten.compareAndSet(last, now)) {
            state.dropped.incrementAndGet();
            return -1;
        }
        return state.dropped.getAndSet(0);
    }
}
