package dev.quiver.edge.sse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.connection.HttpStream;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.event.PresenceBatch;
import dev.quiver.edge.hub.TopicHub;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.presence.PresenceTracker;
import dev.quiver.edge.session.ResetNotice;
import dev.quiver.edge.session.ResetReason;
import dev.quiver.edge.session.Session;
import dev.quiver.edge.session.SessionSink;

/**
 * One SSE connection (docs/protocol.md). Event frames are the shared bytes of {@link EncodedEvent}; a connection on
 * several topics adds only its own {@code id:} line, because its cursor is its own.
 */
final class SseStream implements HttpStream, SessionSink {

    private static final Buffer HEARTBEAT = Buffer.buffer(":\n\n");
    private static final Buffer DRAIN = Buffer.buffer("event: reconnect\ndata: {\"reason\":\"drain\"}\n\n");
    private static final Buffer UNAVAILABLE = Buffer
            .buffer("event: reconnect\ndata: {\"reason\":\"backend-unavailable\"}\n\n");
    private static final Buffer REAUTH = Buffer.buffer("event: reauth\ndata: {\"reason\":\"token-expired\"}\n\n");
    private static final Buffer SLOW = Buffer.buffer("event: slow\ndata: {\"reason\":\"slow-consumer\"}\n\n");

    private static final long CLOSE_GRACE_MILLIS = 1000;

    private final Context context;
    private final Session session;
    private final HttpServerResponse response;
    private final Supplier<HttpConnection> connection;
    private final HttpVersion version;
    private final EdgeMetrics metrics;
    private final ObjectMapper json;
    private final boolean singleTopic;
    private final long retryMillis;
    private final PresenceTracker.Ticket ticket;
    private final boolean watchPresence;

    SseStream(Context context, List<String> topics, TopicHub hub, HistorySource history, int replayBatch,
            int maxPending, HttpServerResponse response, Supplier<HttpConnection> connection, HttpVersion version,
            EdgeMetrics metrics, ObjectMapper json, long retryMillis, PresenceTracker.Ticket ticket,
            boolean watchPresence) {
        this.ticket = ticket;
        this.watchPresence = watchPresence;
        this.context = context;
        this.session = new Session(context, topics, hub, history, replayBatch, maxPending, this);
        this.connection = connection;
        this.version = version;
        this.retryMillis = retryMillis;
        this.response = response;
        this.metrics = metrics;
        this.json = json;
        this.singleTopic = topics.size() == 1;
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public Future<Void> start(SortedMap<String, TopicPosition> positions) {
        return session.start(positions);
    }

    @Override
    public void close() {
        session.close();
        ticket.leave();
    }

    private boolean isClosed() {
        return session.isClosed();
    }

    /** Headers and the retry hint go out once the hub took the session; the replay, if any, follows. */
    @Override
    public void joined() {
        response.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        send(Buffer.buffer("retry: " + retryMillis + "\n\n"));
        ticket.enter();
    }

    @Override
    public boolean wantsPresence() {
        return watchPresence;
    }

    @Override
    public void presence(PresenceBatch batch) {
        send(batch.sse());
        checkBackpressure();
    }

    @Override
    public void event(EncodedEvent event) {
        if (singleTopic) {
            send(event.sseSingleTopicFrame());
        } else {
            // One write per frame: the connection's own id line, then the shared data.
            send(Buffer.buffer("id: " + session.cursor() + "\n").appendBuffer(event.sseData()));
        }
        metrics.delivered(EdgeMetrics.Transport.SSE, 1);
        checkBackpressure();
    }

    /** A connection on one topic writes a live batch as one shared buffer; see {@link EventBatch}. */
    @Override
    public boolean takesBatches() {
        return singleTopic;
    }

    @Override
    public void batch(EventBatch batch) {
        send(batch.sseSingleTopicFrames());
        metrics.delivered(EdgeMetrics.Transport.SSE, batch.size());
        checkBackpressure();
    }

    @Override
    public void reset(ResetNotice notice, ResetReason reason) {
        metrics.reset(reason == ResetReason.EXPIRED);
        String data;
        try {
            data = json.writeValueAsString(notice);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // The id carries the moved cursor, so a reconnect after the reset does not reset again.
        send(Buffer.buffer("event: reset\nid: " + session.cursor() + "\ndata: " + data + "\n\n",
                StandardCharsets.UTF_8.name()));
    }

    /**
     * Writes without asking to be told when the bytes are out: nothing here waits for a write (a full queue is seen by
     * {@link #checkBackpressure()}, a dead peer by the close handler), and a write that returns a future costs a
     * promise and its listeners per delivery, which the profile of 10,000 subscribers showed (docs/benchmarks.md,
     * issue #18 goal 2).
     */
    private void send(Buffer bytes) {
        response.write(bytes, null);
    }

    private void checkBackpressure() {
        if (response.writeQueueFull()) {
            overflow();
        }
    }

    @Override
    public void overflow() {
        if (!isClosed()) {
            metrics.slowConsumer();
            end(SLOW);
        }
    }

    @Override
    public void failed(Throwable cause) {
        end(UNAVAILABLE);
    }

    @Override
    public void heartbeat() {
        if (!isClosed() && response.headWritten()) {
            send(HEARTBEAT);
        }
    }

    @Override
    public void drain() {
        if (!isClosed()) {
            metrics.drained();
            end(DRAIN);
        }
    }

    @Override
    public void expire() {
        if (!isClosed()) {
            end(REAUTH);
        }
    }

    private HttpConnection connection() {
        return connection.get();
    }

    private void end(Buffer last) {
        close();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            // Close the TCP connection too: a reconnect must go through the balancer again, not reuse a kept-alive
            // connection to this pod. Wait for the last frame to be written, but not for a client that reads nothing.
            HttpConnection connection = connection();
            if (version == HttpVersion.HTTP_2) {
                // Other streams share an HTTP/2 connection: ending this one is enough.
                response.end(last);
                return;
            }
            response.end(last).onComplete(done -> connection.close());
            context.owner().setTimer(CLOSE_GRACE_MILLIS, timer -> connection.close());
        } else {
            // Not started yet: a plain 503 tells the client to go elsewhere just as well.
            response.setStatusCode(503).putHeader("Retry-After", "1").end();
        }
    }
}
