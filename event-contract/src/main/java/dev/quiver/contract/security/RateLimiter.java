package dev.quiver.contract.security;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a publisher, an IP address), local to the pod. A request is let through while its bucket is
 * not empty and takes as many tokens as it carries events, possibly driving the bucket into debt: a batch is never
 * refused for being larger than the burst, yet the sustained rate holds.
 *
 * <p>
 * The table is bounded: past {@code maxKeys} entries, buckets idle for a minute and not in debt are dropped (at most
 * one sweep a second; their owners come back to a full bucket, a small leniency); if every bucket is busy, the newcomer shares an overflow bucket, so a
 * flood of distinct keys can neither grow memory nor escape the limit.
 */
public final class RateLimiter {

    /** Limits of one bucket. */
    public record Limit(double perSecond, double burst) {

        public Limit {
            if (!(perSecond > 0) || !(burst >= 1)) {
                throw new IllegalArgumentException("a rate needs perSecond > 0 and burst >= 1");
            }
        }
    }

    private static final String OVERFLOW = "\u0000overflow";

    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE);

    public RateLimiter(int maxKeys) {
        this(maxKeys, System::nanoTime);
    }

    RateLimiter(int maxKeys, LongSupplier nanoTime) {
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes {@code count} tokens for {@code key} under {@code limit}.
     *
     * @return 0 when allowed, else the milliseconds after which the bucket holds a token again
     */
    public long acquire(String key, Limit limit, int count) {
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                evictIdle(nanoTime.getAsLong());
            }
            bucket = buckets.size() >= maxKeys
                    ? buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(limit, nanoTime.getAsLong()))
                    : buckets.computeIfAbsent(key, k -> new Bucket(limit, nanoTime.getAsLong()));
        }
        return bucket.take(limit, count, nanoTime.getAsLong());
    }

    /** Tracked keys, for tests and metrics. */
    public int size() {
        return buckets.size();
    }

    /** At most once a second: a full table must not turn every newcomer into a full scan. */
    private void evictIdle(long now) {
        long last = lastSweep.get();
        if (last != Long.MIN_VALUE && now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext();) {
            if (it.next().full(now)) {
                it.remove();
            }
        }
    }

    private static final class Bucket {

        private Limit limit;
        private double tokens;
        private long last;

        Bucket(Limit limit, long now) {
            this.limit = limit;
            this.tokens = limit.burst();
            this.last = now;
        }

        synchronized long take(Limit current, int count, long now) {
            limit = current;
            refill(now);
            if (tokens >= 1) {
                tokens -= count;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / limit.perSecond() * 1000));
        }

        synchronized boolean full(long now) {
            boolean idle = now - last > 60_000_000_000L;
            refill(now);
            return idle && tokens >= 1;
        }

        private void refill(long now) {
            tokens = Math.min(limit.burst(), tokens + (now - last) / 1e9 * limit.perSecond());
            last = now;
        }
    }
}
