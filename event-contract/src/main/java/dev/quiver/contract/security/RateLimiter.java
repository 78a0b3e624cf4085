package dev.quiver.contract.security;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a publisher, an IP address), local to the pod. A request is let through while its bucket is
 * not empty and takes as many tokens as it carries events, possibly driving the bucket into debt: a batch is never
 * refused for being larger than the burst, yet the sustained rate holds.
 *
 * <p>
 * The table is bounded: past {@code maxKeys} entries, buckets idle for a minute and not in debt are dropped (their
 * owners come back to a full bucket, a small leniency); if every bucket is busy, the newcomer shares an overflow bucket, so a
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

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final LongSupplier nanoTime;

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
                evictIdle();
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

    private void evictIdle() {
        long now = nanoTime.getAsLong();
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext();) {
            if (it.next().full(now)) {
                it.remove();
            }
        }
    }

    private static final class Bucket {

        private double tokens;
        private long last;

        Bucket(Limit limit, long now) {
            this.tokens = limit.burst();
            this.last = now;
        }

        synchronized long take(Limit limit, int count, long now) {
            refill(limit, now);
            if (tokens >= 1) {
                tokens -= count;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / limit.perSecond() * 1000));
        }

        synchronized boolean full(long now) {
            return tokens >= 1 && now - last > 60_000_000_000L;
        }

        private void refill(Limit limit, long now) {
            tokens = Math.min(limit.burst(), tokens + (now - last) / 1e9 * limit.perSecond());
            last = now;
        }
    }
}
