package dev.quiver.edge.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamEntry;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.contract.redis.TopicLayout;
import dev.quiver.contract.redis.TopicMeta;
import dev.quiver.edge.broker.LiveFeed;
import dev.quiver.edge.broker.LiveSource;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.loop.EventLoops;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * The live reader of {@code quiver.edge.live-source=xread}, on one Redis primary (never a cluster: one read over
 * topics of many slots is refused there): ONE blocking {@code XREAD} over every followed topic, on a dedicated
 * connection, so Redis cost grows with events and topics, never with connections. A change of the topic set interrupts
 * the blocked read with {@code CLIENT UNBLOCK}. On a disconnect it retries with exponential backoff and full jitter and
 * resumes from the last id it pushed. Every {@code quiver.edge.epoch-check} (5 s unless set), and after every reconnect, it checks that
 * each topic's history is still the one it reads (losing data does not always drop connections).
 * <p>
 * All state lives on the context given to {@link #start}; nothing here is touched from another thread.
 */
public final class RedisLiveSource implements LiveSource {

    private static final Logger LOG = Logger.getLogger(RedisLiveSource.class);

    /** One followed topic: where reading it stands. */
    private static final class Followed {

        final String topic;
        final String streamKey;
        String epoch;
        StreamId last = StreamId.ZERO;
        /** Its starting position is known: it takes part in reads. */
        boolean ready;

        Followed(String topic) {
            this.topic = topic;
            this.streamKey = new TopicKeys(topic).stream();
        }
    }

    private final Vertx vertx;
    private final Redis shared;
    private final Redis readerClient;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;

    private Context context;
    private LiveFeed feed;
    private final Map<String, Followed> topics = new HashMap<>();
    private RedisConnection connection;
    private long readerClientId = -1;
    private boolean reading;
    /** Counts reads, so that an unblock meant for one read is never applied to the next. */
    private long readSeq;
    /** The current read was sent and Redis has not answered it yet (it may be blocked). */
    private boolean awaitingReply;
    private boolean unblockSent;
    private boolean stopped;
    private int failures;
    /** Counts connection attempts: an answer to an attempt given up (its deadline passed) is closed, never used. */
    private int attempt;
    /** The last attempt Redis answered (or refused); its deadline, if it fires anyway, has nothing to give up. */
    private int answered;
    private long epochTimer = -1;
    private volatile long disconnectedSince = System.currentTimeMillis();

    RedisLiveSource(Vertx vertx, Redis shared, Redis readerClient, EdgeConfig config, EdgeMetrics metrics) {
        this.vertx = vertx;
        this.shared = shared;
        this.readerClient = readerClient;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void start(Context context, LiveFeed feed) {
        this.context = context;
        this.feed = feed;
        context.runOnContext(v -> connect());
        Duration check = config.epochCheckOr(Duration.ofSeconds(5));
        if (!check.isZero()) {
            epochTimer = vertx.setPeriodic(check.toMillis(), timer -> context.runOnContext(v -> {
                if (connection != null && !stopped) {
                    revalidateEpochs(() -> {
                    });
                }
            }));
        }
    }

    @Override
    public void stop() {
        if (context == null) {
            return;
        }
        vertx.cancelTimer(epochTimer);
        context.runOnContext(v -> {
            stopped = true;
            if (connection != null) {
                connection.close();
            }
        });
    }

    @Override
    public boolean healthy() {
        long since = disconnectedSince;
        return since == 0 || System.currentTimeMillis() - since < config.readerReadyGrace().toMillis();
    }

    @Override
    public void follow(String topic) {
        Followed followed = new Followed(topic);
        topics.put(topic, followed);
        onContext(shared.send(TopicLayout.metaRead(topic)), result -> {
            if (topics.get(topic) != followed) {
                // Unfollowed (and maybe followed again) meanwhile: this answer belongs to nobody.
                return;
            }
            if (result.failed()) {
                LOG.debugf("cannot follow %s: %s", topic, result.cause());
                topics.remove(topic);
                feed.onFollowFailed(topic, new IllegalStateException("Redis is unavailable", result.cause()));
                return;
            }
            TopicMeta meta = TopicLayout.meta(result.result());
            followed.epoch = meta.epoch();
            followed.last = meta.cursor() == null ? StreamId.ZERO : meta.cursor();
            followed.ready = true;
            // The feed knows the topic's position before the reader can push its next event.
            feed.onFollowed(topic, position(followed));
            wake();
        });
    }

    @Override
    public void unfollow(String topic) {
        Followed followed = topics.remove(topic);
        if (followed != null && followed.ready) {
            wake();
        }
    }

    private static TopicPosition position(Followed followed) {
        return new TopicPosition(followed.epoch, followed.last);
    }

    // ---- connection ---------------------------------------------------------------------------------------------

    /**
     * Connects, and gives the attempt up if Redis has not answered it within {@code quiver.edge.reader-connect-timeout}:
     * the Redis client has no deadline of its own, so a node that accepts and never answers (a half-open socket, a
     * stopped process) would otherwise hold the reader forever.
     */
    private void connect() {
        if (stopped) {
            return;
        }
        int mine = ++attempt;
        long timeout = config.readerConnectTimeout().toMillis();
        long deadline = vertx.setTimer(timeout, timer -> context.runOnContext(v -> {
            if (!stopped && attempt == mine && answered != mine) {
                attempt++;
                retryLater(new TimeoutException("no answer within " + timeout + " ms"));
            }
        }));
        onContext(readerClient.connect(), connected -> {
            if (attempt != mine || stopped) {
                if (connected.succeeded()) {
                    connected.result().close();
                }
                return;
            }
            if (connected.failed()) {
                answered = mine;
                vertx.cancelTimer(deadline);
                retryLater(connected.cause());
                return;
            }
            RedisConnection fresh = connected.result();
            fresh.exceptionHandler(e -> context.runOnContext(v -> lost(fresh, e)));
            fresh.endHandler(v -> context.runOnContext(x -> lost(fresh, null)));
            onContext(fresh.send(Request.cmd(Command.CLIENT).arg("ID")), id -> {
                if (attempt != mine || stopped) {
                    fresh.close();
                    return;
                }
                answered = mine;
                vertx.cancelTimer(deadline);
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
                    revalidateEpochs(this::read);
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
        awaitingReply = false;
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
        long delay = Backoff.delay(failures, config.readerMaxBackoff());
        LOG.warnf("Live reader lost Redis (%s); retrying in %d ms", cause == null ? "closed" : cause.toString(), delay);
        metrics.readerReconnect();
        vertx.setTimer(delay, t -> context.runOnContext(v -> connect()));
    }

    /**
     * A topic whose epoch changed lost its history (Redis restarted empty, or its keys were deleted): the feed is told,
     * and reading continues from the new history's current end. The cost is one small read per followed topic per
     * check, whatever the number of subscribers.
     */
    private void revalidateEpochs(Runnable then) {
        List<Followed> ready = new ArrayList<>();
        for (Followed followed : topics.values()) {
            if (followed.ready) {
                ready.add(followed);
            }
        }
        if (ready.isEmpty()) {
            then.run();
            return;
        }
        int[] remaining = {ready.size()};
        for (Followed followed : ready) {
            onContext(shared.send(TopicLayout.metaRead(followed.topic)), result -> {
                if (result.succeeded() && topics.get(followed.topic) == followed) {
                    TopicMeta meta = TopicLayout.meta(result.result());
                    if (followed.epoch != null && !followed.epoch.equals(meta.epoch())) {
                        followed.epoch = meta.epoch();
                        followed.last = meta.cursor() == null ? StreamId.ZERO : meta.cursor();
                        feed.onHistoryReplaced(followed.topic, position(followed));
                    }
                }
                if (--remaining[0] == 0) {
                    then.run();
                }
            });
        }
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    /** Interrupts a blocked read so that it picks up a changed topic set, or starts one when idle. */
    private void wake() {
        if (connection == null) {
            return;
        }
        if (!reading) {
            read();
        } else if (!unblockSent) {
            unblockSent = true;
            unblock(readSeq);
        }
    }

    /**
     * Interrupts read {@code seq}. An unblock that reaches Redis before the read has blocked finds nothing to
     * interrupt (the answer is 0), and the read would then wait out its whole block time: try again shortly.
     */
    private void unblock(long seq) {
        onContext(shared.send(Request.cmd(Command.CLIENT).arg("UNBLOCK").arg(readerClientId)), result -> {
            boolean missed = result.succeeded() && result.result() != null && result.result().toInteger() == 0;
            if (missed && awaitingReply && readSeq == seq && !stopped) {
                vertx.setTimer(2, timer -> context.runOnContext(v -> {
                    if (awaitingReply && readSeq == seq) {
                        unblock(seq);
                    }
                }));
            }
        });
    }

    private void read() {
        if (connection == null || reading || stopped) {
            return;
        }
        List<Followed> active = new ArrayList<>();
        for (Followed followed : topics.values()) {
            if (followed.ready) {
                active.add(followed);
            }
        }
        if (active.isEmpty()) {
            return;
        }
        Request request = Request.cmd(Command.XREAD)
                .arg("BLOCK").arg(config.readBlock().toMillis())
                .arg("COUNT").arg(config.readBatch())
                .arg("STREAMS");
        Map<String, Followed> byKey = new HashMap<>();
        for (Followed followed : active) {
            request.arg(followed.streamKey);
            byKey.put(followed.streamKey, followed);
        }
        for (Followed followed : active) {
            request.arg(followed.last.toString());
        }
        reading = true;
        readSeq++;
        awaitingReply = true;
        unblockSent = false;
        RedisConnection current = connection;
        onContext(current.send(request), result -> {
            if (connection != current) {
                return;
            }
            awaitingReply = false;
            metrics.redisRead("live");
            if (result.failed()) {
                LOG.debugf("XREAD failed: %s", result.cause());
                reading = false;
                lost(current, result.cause());
                return;
            }
            // Still "reading" until the batch is pushed: a second XREAD from the old positions would read and push
            // the same events again.
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

    private void handle(Response response, Map<String, Followed> byKey, Runnable then) {
        List<Followed> needEpoch = new ArrayList<>();
        for (String key : response.getKeys()) {
            Followed followed = byKey.get(key);
            if (followed != null && followed.epoch == null && response.get(key).size() > 0) {
                needEpoch.add(followed);
            }
        }
        if (needEpoch.isEmpty()) {
            pushAll(response, byKey);
            then.run();
            return;
        }
        // A topic that had no history when it was followed: its first events carry the epoch they were written in.
        int[] remaining = {needEpoch.size()};
        for (Followed followed : needEpoch) {
            onContext(shared.send(TopicLayout.metaRead(followed.topic)), meta -> {
                if (meta.succeeded()) {
                    String epoch = TopicLayout.meta(meta.result()).epoch();
                    if (epoch != null) {
                        followed.epoch = epoch;
                    }
                }
                if (--remaining[0] == 0) {
                    pushAll(response, byKey);
                    then.run();
                }
            });
        }
    }

    private void pushAll(Response response, Map<String, Followed> byKey) {
        for (String key : response.getKeys()) {
            Followed followed = byKey.get(key);
            Response entries = response.get(key);
            if (followed == null || followed.epoch == null || entries.size() == 0) {
                continue;
            }
            List<EncodedEvent> events = new ArrayList<>(entries.size());
            for (StreamEntry entry : TopicLayout.entries(entries)) {
                events.add(EncodedEvent.of(followed.topic, followed.epoch, entry.id(), entry.fields()));
            }
            followed.last = events.get(events.size() - 1).id();
            metrics.eventsRead(events.size());
            if (topics.get(followed.topic) == followed) {
                try {
                    feed.onEvents(followed.topic, new EventBatch(events));
                } catch (RuntimeException e) {
                    // The feed's failure must never stop the reader.
                    LOG.errorf(e, "the live feed failed on %s", followed.topic);
                }
            }
        }
    }

    private <T> void onContext(Future<T> future, Handler<AsyncResult<T>> handler) {
        EventLoops.onContext(future, context, handler);
    }
}
