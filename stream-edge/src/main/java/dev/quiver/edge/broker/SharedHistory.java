package dev.quiver.edge.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;

/**
 * A {@link HistorySource} that reads once for everyone asking the same thing at the same time: when a pod dies, its
 * clients come back to the others together, mostly with the same cursors, and each would otherwise read the same
 * range of the same topic (issue #18: 1,400-1,700 resumes refused by an exhausted Redis pool in a reconnect storm).
 * <p>
 * Only requests that cannot tell the difference share a read. A range is keyed by everything that bounds it, its upper
 * bound included: callers pass the position live delivery starts after, which the topic had reached before any of
 * them asked, so a read issued for one of them already holds every entry the others need. The facts are keyed by that
 * same position, for the same reason: they must be read after it was taken ({@code ResumePlan}). A read is shared
 * while in flight only; nothing is cached.
 */
public final class SharedHistory implements HistorySource {

    private record MetaKey(String topic, TopicPosition head) {
    }

    private record RangeKey(String topic, StreamId after, StreamId upTo, int count) {
    }

    private final HistorySource delegate;
    private final Map<Object, Future<?>> inFlight = new ConcurrentHashMap<>();

    public SharedHistory(HistorySource delegate) {
        this.delegate = delegate;
    }

    @Override
    public Future<TopicMeta> meta(String topic, TopicPosition head) {
        return shared(new MetaKey(topic, head), () -> delegate.meta(topic, head));
    }

    @Override
    public Future<Page> range(String topic, StreamId after, StreamId upTo, int count) {
        return shared(new RangeKey(topic, after, upTo, count), () -> delegate.range(topic, after, upTo, count));
    }

    /** Reads currently shared, for tests and metrics. */
    public int inFlight() {
        return inFlight.size();
    }

    @SuppressWarnings("unchecked")
    private <T> Future<T> shared(Object key, Supplier<Future<T>> read) {
        Promise<T> promise = Promise.promise();
        Future<?> existing = inFlight.putIfAbsent(key, promise.future());
        if (existing != null) {
            return (Future<T>) existing;
        }
        Future<T> started;
        try {
            started = read.get();
        } catch (RuntimeException e) {
            started = Future.failedFuture(e);
        }
        // Removed before the callers hear the answer: a request made after it starts a read of its own.
        started.onComplete(result -> {
            inFlight.remove(key, promise.future());
            promise.handle(result);
        });
        return promise.future();
    }
}
