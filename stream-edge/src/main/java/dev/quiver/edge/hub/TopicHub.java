package dev.quiver.edge.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.Span;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.edge.broker.LiveFeed;
import dev.quiver.edge.broker.LiveSource;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.event.PresenceBatch;
import dev.quiver.edge.loop.EventLoops;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * The local subscribers of one pod, by topic, and delivery to them. The {@link LiveSource} reads each event once for
 * the pod; the hub hands each batch to every subscriber of its topic with one task per event loop, not per
 * connection. The set of followed topics follows the subscribers: the first in makes the source follow a topic, the
 * last out stops it.
 * <p>
 * All state below lives on one Vert.x context, the hub's; nothing here is touched from another thread.
 */
@ApplicationScoped
public class TopicHub implements LiveFeed {

    private static final Logger LOG = Logger.getLogger(TopicHub.class);

    /** One topic with local subscribers. */
    private static final class TopicState {

        final String topic;
        /** Where delivery stands: the last position pushed by the source. */
        TopicPosition position;
        boolean ready;
        /** The source was asked to follow the topic and has not answered yet. */
        boolean following;
        /** Following failed: the state is out of the map, and whoever still waits on it must fail too. */
        Throwable failed;
        final List<Runnable> whenReady = new ArrayList<>();
        final Map<Context, List<Subscriber>> byLoop = new LinkedHashMap<>();
        int subscribers;
        /** Immutable copy handed to delivery tasks; rebuilt after a change. */
        Map<Context, Subscriber[]> frozen;
        /** The last events, from the moment the topic is followed. */
        RecentEvents recent;

        TopicState(String topic) {
            this.topic = topic;
        }

        Map<Context, Subscriber[]> groups() {
            if (frozen == null) {
                Map<Context, Subscriber[]> copy = new HashMap<>();
                byLoop.forEach((loop, list) -> copy.put(loop, list.toArray(Subscriber[]::new)));
                frozen = copy;
            }
            return frozen;
        }

        TopicView view() {
            return new TopicView(topic, position);
        }

        /** The view of a subscriber resuming from {@code cursor} (or none), with the events it missed if held. */
        TopicView view(TopicPosition cursor) {
            return new TopicView(topic, position, cursor == null ? null : recent.after(cursor));
        }
    }

    private final Vertx vertx;
    private final LiveSource source;
    private final EdgeMetrics metrics;
    private final int recentEvents;
    private final DeliveryTracing tracing;

    private Context hub;
    private final Map<String, TopicState> topics = new HashMap<>();
    private final long recentMemory;
    /** Bytes held by every topic's {@link RecentEvents}; written on the hub's context only, read by the gauge. */
    private volatile long held;

    @Inject
    public TopicHub(Vertx vertx, LiveSource source, EdgeMetrics metrics, EdgeConfig config, DeliveryTracing tracing) {
        this(vertx, source, metrics, config.recentEvents(), config.recentMemory().asLongValue(), tracing);
    }

    /**
     * @param recentEvents the last events held per followed topic, for resumes ({@link RecentEvents})
     * @param recentMemory the most memory those take over all topics
     */
    public TopicHub(Vertx vertx, LiveSource source, EdgeMetrics metrics, int recentEvents, long recentMemory) {
        this(vertx, source, metrics, recentEvents, recentMemory, DeliveryTracing.off());
    }

    private TopicHub(Vertx vertx, LiveSource source, EdgeMetrics metrics, int recentEvents, long recentMemory,
            DeliveryTracing tracing) {
        this.tracing = tracing;
        this.vertx = vertx;
        this.source = source;
        this.metrics = metrics;
        this.recentEvents = recentEvents;
        this.recentMemory = recentMemory;
    }

    void start(@Observes StartupEvent startup) {
        // A verticle deployed for the hub is the public way to get an event-loop context of its own, never one that
        // the startup thread or a request already uses.
        Promise<Context> own = Promise.promise();
        vertx.deployVerticle(new AbstractVerticle() {

            @Override
            public void start() {
                own.complete(context);
            }
        });
        start(own.future().toCompletionStage().toCompletableFuture().join());
    }

    /** Starts the hub on {@code context}, which becomes the one its state lives on, and starts the source there. */
    public void start(Context context) {
        hub = context;
        metrics.topicsGauge(() -> topics.size());
        metrics.recentBytesGauge(() -> held);
        metrics.readerGauge(() -> source.healthy() ? 1 : 0);
        source.start(hub, this);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        source.stop();
    }

    /** Whether live reading is connected to the broker, or was within the grace period. */
    public boolean readerHealthy() {
        return source.healthy();
    }

    /** Adds {@code subscriber} to {@code names}, live from now: {@link #subscribe(Subscriber, List, Map)} without cursors. */
    public Future<List<TopicView>> subscribe(Subscriber subscriber, List<String> names) {
        return subscribe(subscriber, names, Map.of());
    }

    /**
     * Adds {@code subscriber} to {@code topics}. The future completes on the subscriber's context with one view per
     * topic, in the given order: every event after a view's position reaches the subscriber (see
     * {@link Subscriber#onEvents} for what else may). A view also carries the events after the subscriber's cursor in
     * {@code cursors} when this pod still holds every one of them.
     */
    public Future<List<TopicView>> subscribe(Subscriber subscriber, List<String> names,
            Map<String, TopicPosition> cursors) {
        Promise<List<TopicView>> promise = Promise.promise();
        hub.runOnContext(v -> {
            List<TopicState> states = new ArrayList<>(names.size());
            for (String name : names) {
                TopicState state = topics.computeIfAbsent(name, TopicState::new);
                state.byLoop.computeIfAbsent(loopOf(subscriber), loop -> new ArrayList<>()).add(subscriber);
                state.subscribers++;
                state.frozen = null;
                states.add(state);
                if (!state.ready && !state.following) {
                    follow(state);
                }
            }
            whenAllReady(states, 0, () -> {
                List<TopicView> views = new ArrayList<>(states.size());
                for (TopicState state : states) {
                    TopicView view = state.view(cursors.get(state.topic));
                    if (view.recent() != null && !view.recent().isEmpty()) {
                        metrics.recentReplay();
                    }
                    views.add(view);
                }
                subscriber.context().runOnContext(x -> promise.complete(views));
            }, failure -> {
                unsubscribeNow(subscriber, names);
                subscriber.context().runOnContext(x -> promise.fail(failure));
            });
        });
        return promise.future();
    }

    /** Removes {@code subscriber}; the last subscriber out of a topic stops its reading. */
    public void unsubscribe(Subscriber subscriber, List<String> names) {
        hub.runOnContext(v -> unsubscribeNow(subscriber, names));
    }

    private void unsubscribeNow(Subscriber subscriber, List<String> names) {
        for (String name : names) {
            TopicState state = topics.get(name);
            if (state == null) {
                continue;
            }
            List<Subscriber> list = state.byLoop.get(loopOf(subscriber));
            if (list != null && list.remove(subscriber)) {
                state.subscribers--;
                state.frozen = null;
                if (list.isEmpty()) {
                    state.byLoop.remove(loopOf(subscriber));
                }
            }
            if (state.subscribers == 0 && state.ready) {
                topics.remove(name);
                source.unfollow(name);
                held -= state.recent.bytes();
            }
        }
    }

    private void whenAllReady(List<TopicState> states, int from, Runnable done, Consumer<Throwable> failed) {
        for (int i = from; i < states.size(); i++) {
            TopicState state = states.get(i);
            if (state.failed != null) {
                failed.accept(state.failed);
                return;
            }
            if (!state.ready) {
                int next = i;
                state.whenReady.add(() -> {
                    if (state.ready) {
                        whenAllReady(states, next + 1, done, failed);
                    } else {
                        failed.accept(state.failed);
                    }
                });
                return;
            }
        }
        done.run();
    }

    /**
     * Asks the source to follow a new topic; its subscribers wait for the position live delivery starts after. The
     * answer may come back before {@code follow} returns.
     */
    private void follow(TopicState state) {
        state.following = true;
        source.follow(state.topic);
    }

    @Override
    public void onFollowed(String topic, TopicPosition position) {
        TopicState state = topics.get(topic);
        if (state == null || !state.following) {
            return;
        }
        state.following = false;
        state.position = position;
        state.recent = new RecentEvents(recentEvents, position);
        state.ready = true;
        settled(state);
    }

    @Override
    public void onFollowFailed(String topic, Throwable cause) {
        TopicState state = topics.get(topic);
        if (state == null || !state.following) {
            return;
        }
        state.following = false;
        state.failed = cause;
        topics.remove(topic);
        settled(state);
    }

    /** A follow was answered: its waiting subscribers go on, and a topic everybody left meanwhile is let go. */
    private void settled(TopicState state) {
        List<Runnable> callbacks = new ArrayList<>(state.whenReady);
        state.whenReady.clear();
        callbacks.forEach(Runnable::run);
        if (state.ready && topics.get(state.topic) == state && state.subscribers == 0) {
            topics.remove(state.topic);
            source.unfollow(state.topic);
            held -= state.recent.bytes();
        }
    }

    @Override
    public void onEvents(String topic, EventBatch batch) {
        TopicState state = topics.get(topic);
        if (state == null || !state.ready || batch.isEmpty()) {
            return;
        }
        state.position = batch.last().position();
        long before = state.recent.bytes();
        state.recent.append(batch);
        held += state.recent.bytes() - before;
        while (held > recentMemory && state.recent.size() > 0) {
            // Over the pod's bound: the topic that grew gives back its oldest events; a resume before them reads Redis.
            before = state.recent.bytes();
            state.recent.evictOldest();
            held -= before - state.recent.bytes();
        }
        long appended = batch.last().timeMillis();
        Span span = tracing.start(topic, batch, state.subscribers);
        deliver(state, subscriber -> subscriber.onEvents(topic, batch), () -> metrics.lag(appended));
        if (span != null) {
            // Ends once the batch is handed to every event loop of its subscribers; the writes follow on those loops.
            span.end();
        }
    }

    @Override
    public void onHistoryReplaced(String topic, TopicPosition position) {
        TopicState state = topics.get(topic);
        if (state == null || !state.ready) {
            return;
        }
        state.position = position;
        held -= state.recent.bytes();
        state.recent.restart(position);
        TopicView view = state.view();
        deliver(state, subscriber -> subscriber.onHistoryReplaced(view), () -> {
        });
    }

    @Override
    public void onPresence(String topic, List<PresenceLayout.Change> changes) {
        TopicState state = topics.get(topic);
        if (state == null || !state.ready || changes.isEmpty()) {
            return;
        }
        PresenceBatch batch = PresenceBatch.of(topic, changes);
        deliver(state, subscriber -> subscriber.onPresence(batch), () -> {
        });
    }

    /** Runs {@code action} for every subscriber of the topic, one task per event loop. */
    private void deliver(TopicState state, Consumer<Subscriber> action, Runnable afterEachLoop) {
        for (Map.Entry<Context, Subscriber[]> group : state.groups().entrySet()) {
            Subscriber[] subscribers = group.getValue();
            group.getKey().runOnContext(v -> {
                for (Subscriber subscriber : subscribers) {
                    try {
                        action.accept(subscriber);
                    } catch (RuntimeException e) {
                        // One broken subscriber must never stop delivery to the others.
                        LOG.debugf(e, "subscriber failed on %s", state.topic);
                    }
                }
                afterEachLoop.run();
            });
        }
    }

    /** The event loop a subscriber runs on; request contexts are per request, their event loop is shared. */
    private static Context loopOf(Subscriber subscriber) {
        return EventLoops.root(subscriber.context());
    }
}
