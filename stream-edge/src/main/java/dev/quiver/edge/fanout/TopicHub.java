package dev.quiver.edge.fanout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.redis.client.RedisClientName;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * The fan-out engine of one pod. One live reader per pod reads every topic that has local subscribers with ONE
 * blocking {@code XREAD} over all of them, on a dedicated Redis connection; each event is read once, encoded once
 * ({@link EncodedEvent}) and handed to every local subscriber, one task per event loop, not per connection. Redis cost
 * therefore grows with events and topics, never with connections.
 * <p>
 * The set of topics follows the subscribers (first in starts reading, last out stops) without restarting anything:
 * a change interrupts the blocked read with {@code CLIENT UNBLOCK}. On a Redis disconnect the reader retries with
 * exponential backoff and jitter and resumes from the last id it delivered, so a blip costs delay, not events.
 * <p>
 * All state below lives on one Vert.x context, the hub's; nothing here is touched from another thread.
 */
@ApplicationScoped
public class TopicHub {

    private static final Logger LOG = Logger.getLogger(TopicHub.class);

    /** One topic with local subscribers. */
    private static final class TopicState {

        final String topic;
        final String streamKey;
        String epoch;
        StreamId last = StreamId.ZERO;
        boolean ready;
        boolean activating;
        /** Activation failed: the state is out of the map, and whoever still waits on it must fail too. */
        boolean failed;
        final List<Runnable> whenReady = new ArrayList<>();
        final Map<Context, List<Subscriber>> byLoop = new LinkedHashMap<>();
        int subscribers;
        /** Immutable copy handed to delivery tasks; rebuilt after a change. */
        Map<Context, Subscriber[]> frozen;

        TopicState(String topic) {
            this.topic = topic;
            this.streamKey = new TopicKeys(topic).stream();
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
            return new TopicView(topic, new TopicPosition(epoch, last));
        }
    }

    private final Vertx vertx;
    private final Redis shared;
    private final Redis readerClient;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;

    private Context hub;
    private final Map<String, TopicState> topics = new HashMap<>();
    private RedisConnection connection;
    private long readerClientId = -1;
    private boolean reading;
    private boolean unblockSent;
    private boolean stopped;
    private int failures;
    private volatile long disconnectedSince = System.currentTimeMillis();

    public TopicHub(Vertx vertx, Redis shared, @RedisClientName("reader") Redis readerClient, EdgeConfig config,
            EdgeMetrics metrics) {
        this.vertx = vertx;
        this.shared = shared;
        this.readerClient = readerClient;
        this.config = config;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent startup) {
        metrics.topicsGauge(() -> topics.size());
        hub().runOnContext(v -> connect());
        vertx.setPeriodic(config.epochCheck().toMillis(), timer -> hub().runOnContext(v -> {
            if (connection != null && !stopped) {
                revalidateEpochs(() -> {
                });
            }
        }));
    }

    /** The hub's own event-loop context, created once, never a request's. */
    private synchronized Context hub() {
        if (hub == null) {
            hub = ((VertxInternal) vertx).createEventLoopContext();
        }
        return hub;
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (hub != null) {
            hub.runOnContext(v -> {
                stopped = true;
                if (connection != null) {
                    connection.close();
                }
            });
        }
    }

    /** Whether the live reader is connected, or was within the grace period. */
    public boolean readerHealthy() {
        long since = disconnectedSince;
        return since == 0 || System.currentTimeMillis() - since < config.readerReadyGrace().toMillis();
    }

    /**
     * Adds {@code subscriber} to {@code topics}. The future completes on the subscriber's context with one view per
     * topic, in the given order: live delivery to it starts right after each view's position.
     */
    public Future<List<TopicView>> subscribe(Subscriber subscriber, List<String> names) {
        Promise<List<TopicView>> promise = Promise.promise();
        hub().runOnContext(v -> {
            List<TopicState> states = new ArrayList<>(names.size());
            for (String name : names) {
                TopicState state = topics.computeIfAbsent(name, TopicState::new);
                state.byLoop.computeIfAbsent(loopOf(subscriber), loop -> new ArrayList<>()).add(subscriber);
                state.subscribers++;
                state.frozen = null;
                states.add(state);
                if (!state.ready && !state.activating) {
                    activate(state);
                }
            }
            whenAllReady(states, 0, () -> {
                List<TopicView> views = states.stream().map(TopicState::view).toList();
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
        hub().runOnContext(v -> unsubscribeNow(subscriber, names));
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
                wake();
            }
        }
    }

    private void whenAllReady(List<TopicState> states, int from, Runnable done, Handler<Throwable> failed) {
        for (int i = from; i < states.size(); i++) {
            TopicState state = states.get(i);
            if (state.failed) {
                failed.handle(new IllegalStateException("Redis is unavailable"));
                return;
            }
            if (!state.ready) {
                int next = i;
                state.whenReady.add(() -> {
                    if (state.ready) {
                        whenAllReady(states, next + 1, done, failed);
                    } else {
                        failed.handle(new IllegalStateException("Redis is unavailable"));
                    }
                });
                return;
            }
        }
        done.run();
    }

    /** Reads where a new topic's history stands; live reading starts after it. */
    private void activate(TopicState state) {
        state.activating = true;
        TopicKeys keys = new TopicKeys(state.topic);
        onHub(shared.send(Request.cmd(Command.HMGET).arg(keys.meta()).arg("epoch").arg("cursor")), result -> {
            state.activating = false;
            if (result.failed()) {
                LOG.debugf("cannot activate %s: %s", state.topic, result.cause());
                state.failed = true;
                topics.remove(state.topic, state);
                runReady(state);
                return;
            }
            Response meta = result.result();
            state.epoch = meta.get(0) == null ? null : meta.get(0).toString();
            state.last = meta.get(1) == null ? StreamId.ZERO : StreamId.parse(meta.get(1).toString());
            state.ready = true;
            runReady(state);
            if (topics.get(state.topic) == state && state.subscribers == 0) {
                topics.remove(state.topic);
            }
            wake();
        });
    }

    private static void runReady(TopicState state) {
        List<Runnable> callbacks = new ArrayList<>(state.whenReady);
        state.whenReady.clear();
        callbacks.forEach(Runnable::run);
    }

    // ---- the live reader ----------------------------------------------------------------------------------------

    private void connect() {
        if (stopped) {
            return;
        }
        onHub(readerClient.connect(), connected -> {
            if (connected.failed()) {
                retryLater(connected.cause());
                return;
            }
            RedisConnection fresh = connected.result();
            fresh.exceptionHandler(e -> hub.runOnContext(v -> lost(fresh, e)));
            fresh.endHandler(v -> hub.runOnContext(x -> lost(fresh, null)));
            onHub(fresh.send(Request.cmd(Command.CLIENT).arg("ID")), id -> {
                if (id.failed()) {
                    fresh.close();
                    retryLater(id.cause());
                    return;
                }
                boolean reconnect = failures > 0 || readerClientId >= 0;
                connection = fresh;
                readerClientId = id.result().toLong();
                failures = 0;
                disconnectedSince = 0;
                if (reconnect) {
                    revalidateEpochs();
                } else {
                    read();
                }
            });
        });
    }

    private void lost(RedisConnection which, Throwable cause) {
        if (connection != which) {
            return;
        }
        which.close();
        connection = null;
        reading = false;
        if (disconnectedSince == 0) {
            disconnectedSince = System.currentTimeMillis();
        }
        retryLater(cause);
    }

    private void retryLater(Throwable cause) {
        if (stopped) {
            return;
        }
        if (disconnectedSince == 0) {
            disconnectedSince = System.currentTimeMillis();
        }
        failures++;
        long max = config.readerMaxBackoff().toMillis();
        long ceiling = Math.min(max, 50L << Math.min(failures, 16));
        // Full jitter: pods that lost Redis together do not come back in lockstep.
        long delay = Math.max(10, ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        LOG.warnf("Live reader lost Redis (%s); retrying in %d ms", cause == null ? "closed" : cause.toString(), delay);
        metrics.readerReconnect();
        vertx.setTimer(delay, t -> hub.runOnContext(v -> connect()));
    }

    /**
     * A topic whose epoch changed lost its history (Redis restarted empty, or its keys were deleted). Its subscribers
     * must reload; reading it continues from the new history's current end. Checked after every reconnect, and every
     * {@code quiver.edge.epoch-check} while connected, since losing data does not always drop connections. The cost
     * is one small read per watched topic per interval, whatever the number of subscribers.
     */
    private void revalidateEpochs() {
        revalidateEpochs(this::read);
    }

    private void revalidateEpochs(Runnable then) {
        List<TopicState> states = new ArrayList<>();
        for (TopicState state : topics.values()) {
            if (state.ready) {
                states.add(state);
            }
        }
        if (states.isEmpty()) {
            then.run();
            return;
        }
        int[] remaining = {states.size()};
        for (TopicState state : states) {
            TopicKeys keys = new TopicKeys(state.topic);
            onHub(shared.send(Request.cmd(Command.HMGET).arg(keys.meta()).arg("epoch").arg("cursor")), result -> {
                if (result.succeeded()) {
                    Response meta = result.result();
                    String epoch = meta.get(0) == null ? null : meta.get(0).toString();
                    if (state.epoch != null && !state.epoch.equals(epoch)) {
                        state.epoch = epoch;
                        state.last = meta.get(1) == null ? StreamId.ZERO : StreamId.parse(meta.get(1).toString());
                        TopicView view = state.view();
                        deliver(state, subscriber -> subscriber.onHistoryReplaced(view), () -> {
                        });
                    }
                }
                if (--remaining[0] == 0) {
                    then.run();
                }
            });
        }
    }

    /** Interrupts a blocked read so that it picks up a changed topic set, or starts one when idle. */
    private void wake() {
        if (connection == null) {
            return;
        }
        if (!reading) {
            read();
        } else if (!unblockSent) {
            unblockSent = true;
            shared.send(Request.cmd(Command.CLIENT).arg("UNBLOCK").arg(readerClientId));
        }
    }

    private void read() {
        if (connection == null || reading || stopped) {
            return;
        }
        List<TopicState> active = new ArrayList<>();
        for (TopicState state : topics.values()) {
            if (state.ready) {
                active.add(state);
            }
        }
        if (active.isEmpty()) {
            return;
        }
        Request request = Request.cmd(Command.XREAD)
                .arg("BLOCK").arg(config.readBlock().toMillis())
                .arg("COUNT").arg(config.readBatch())
                .arg("STREAMS");
        Map<String, TopicState> byKey = new HashMap<>();
        for (TopicState state : active) {
            request.arg(state.streamKey);
            byKey.put(state.streamKey, state);
        }
        for (TopicState state : active) {
            request.arg(state.last.toString());
        }
        reading = true;
        unblockSent = false;
        RedisConnection current = connection;
        onHub(current.send(request), result -> {
            if (connection != current) {
                return;
            }
            metrics.redisRead("live");
            if (result.failed()) {
                LOG.debugf("XREAD failed: %s", result.cause());
                reading = false;
                lost(current, result.cause());
                return;
            }
            // Still "reading" until the batch is dispatched: a second XREAD from the old positions would read and
            // deliver the same events again.
            Runnable next = () -> {
                reading = false;
                read();
            };
            if (result.result() == null) {
                next.run();
                return;
            }
            handle(result.result(), byKey, next);
        });
    }

    private void handle(Response response, Map<String, TopicState> byKey, Runnable then) {
        List<TopicState> needEpoch = new ArrayList<>();
        for (String key : response.getKeys()) {
            TopicState state = byKey.get(key);
            if (state != null && state.epoch == null && response.get(key).size() > 0) {
                needEpoch.add(state);
            }
        }
        if (needEpoch.isEmpty()) {
            dispatchAll(response, byKey);
            then.run();
            return;
        }
        // A topic that had no history when it was activated: its first events carry the epoch they were written in.
        int[] remaining = {needEpoch.size()};
        for (TopicState state : needEpoch) {
            onHub(shared.send(Request.cmd(Command.HGET).arg(new TopicKeys(state.topic).meta()).arg("epoch")), epoch -> {
                if (epoch.succeeded() && epoch.result() != null) {
                    state.epoch = epoch.result().toString();
                }
                if (--remaining[0] == 0) {
                    dispatchAll(response, byKey);
                    then.run();
                }
            });
        }
    }

    private void dispatchAll(Response response, Map<String, TopicState> byKey) {
        for (String key : response.getKeys()) {
            TopicState state = byKey.get(key);
            Response entries = response.get(key);
            if (state == null || state.epoch == null || entries.size() == 0) {
                continue;
            }
            List<EncodedEvent> events = new ArrayList<>(entries.size());
            for (Response entry : entries) {
                StreamId id = StreamId.parse(entry.get(0).toString());
                List<String> fields = new ArrayList<>(entry.get(1).size());
                for (Response field : entry.get(1)) {
                    fields.add(field.toString());
                }
                events.add(EncodedEvent.of(state.topic, state.epoch, id, fields));
            }
            state.last = events.get(events.size() - 1).id();
            metrics.eventsRead(events.size());
            if (topics.get(state.topic) == state) {
                EventBatch batch = new EventBatch(events);
                long appended = batch.get(batch.size() - 1).id().millis();
                deliver(state, subscriber -> subscriber.onEvents(state.topic, batch), () -> metrics.lag(appended));
            }
        }
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

    private <T> void onHub(Future<T> future, Handler<AsyncResult<T>> handler) {
        future.onComplete(result -> {
            if (Vertx.currentContext() == hub) {
                handler.handle(result);
            } else {
                hub.runOnContext(v -> handler.handle(result));
            }
        });
    }

    /** The event loop a subscriber runs on; request contexts are per request, their event loop is shared. */
    private static Context loopOf(Subscriber subscriber) {
        return ((ContextInternal) subscriber.context()).unwrap();
    }
}
