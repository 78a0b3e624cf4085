package dev.quiver.edge.broker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;
import dev.quiver.edge.event.EncodedEvent;

/**
 * A {@link HistorySource} that reads once for everyone asking the same thing at the same time: when a pod dies, its
 * clients come back to the others together, mostly with the same cursors, and each would otherwise read the same
 * range of the same topic (issue #18: 1,400-1,700 resumes refused by an exhausted Redis pool in a reconnect storm).
 * <p>
 * Only requests that cannot tell the difference share a read. A range is keyed by everything that bounds it, its upper
 * bound included: callers pass the position live delivery starts after, which the topic had reached before any of
 * them asked, so a read issued for one of them already holds every entry the others need. Resuming clients' cursors
 * differ, so a range also serves requests that start LATER within it (same topic, bound and page size): they get the
 * part of its page after their own start, with the facts read together with it, and {@code full} as the page had it
 * (a caller then reads on from its last event, as after any full page). The facts are keyed by the head position, for
 * the same reason as the bound: they must be read after it was taken ({@code ResumePlan}). A read is shared while in
 * flight only; nothing is cached.
 */
public final class SharedHistory implements HistorySource {

    private record MetaKey(String topic, TopicPosition head) {
    }

    /** Ranges that can serve each other: in flight by start. */
    private record RangeFamily(String topic, StreamId upTo, int count) {
    }

    private final HistorySource delegate;
    private final Map<Object, Future<?>> inFlight = new ConcurrentHashMap<>();
    private final Map<RangeFamily, ConcurrentNavigableMap<StreamId, Future<Page>>> ranges = new ConcurrentHashMap<>();

    public SharedHistory(HistorySource delegate) {
        this.delegate = delegate;
    }

    @Override
    public Future<TopicMeta> meta(String topic, TopicPosition head) {
        return shared(new MetaKey(topic, head), () -> delegate.meta(topic, head));
    }

    @Override
    public Future<Page> range(String topic, StreamId after, StreamId upTo, int count) {
        if (upTo == null) {
            // "To the end" moves with every append: an earlier read may stop before what this caller must see.
            return delegate.range(topic, after, upTo, count);
        }
        RangeFamily family = new RangeFamily(topic, upTo, count);
        ConcurrentNavigableMap<StreamId, Future<Page>> reads = ranges.computeIfAbsent(family,
                f -> new ConcurrentSkipListMap<>());
        Map.Entry<StreamId, Future<Page>> earlier = reads.floorEntry(after);
        if (earlier != null) {
            if (earlier.getKey().equals(after)) {
                return earlier.getValue();
            }
            return earlier.getValue().compose(page -> {
                Page part = after(page, after);
                // A full page that ends before this start says nothing about what follows it: read it apart.
                return part.events().isEmpty() && page.full()
                        ? delegate.range(topic, after, upTo, count)
                        : Future.succeededFuture(part);
            });
        }
        Promise<Page> promise = Promise.promise();
        Future<Page> existing = reads.putIfAbsent(after, promise.future());
        if (existing != null) {
            return existing;
        }
        Future<Page> started;
        try {
            started = delegate.range(topic, after, upTo, count);
        } catch (RuntimeException e) {
            started = Future.failedFuture(e);
        }
        // Removed before the callers hear the answer: a request made after it starts a read of its own. Sharing is
        // best effort (a family map dropped while another request joins it only costs that request its own read).
        started.onComplete(result -> {
            reads.remove(after, promise.future());
            if (reads.isEmpty()) {
                ranges.remove(family, reads);
            }
            promise.handle(result);
        });
        return promise.future();
    }

    /** The part of {@code page} after {@code start}; its events are in stream order. */
    static Page after(Page page, StreamId start) {
        List<EncodedEvent> events = page.events();
        int from = 0;
        while (from < events.size() && !start.isBefore(events.get(from).id())) {
            from++;
        }
        return new Page(page.meta(), events.subList(from, events.size()), page.full());
    }

    /** Reads currently shared, for tests and metrics. */
    public int inFlight() {
        return inFlight.size() + ranges.values().stream().mapToInt(Map::size).sum();
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
