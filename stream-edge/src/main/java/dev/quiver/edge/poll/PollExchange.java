package dev.quiver.edge.poll;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.connection.HttpStream;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.PresenceBatch;
import dev.quiver.edge.event.PresenceEvent;
import dev.quiver.edge.hub.TopicHub;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.presence.PresenceTracker;
import dev.quiver.edge.session.ResetNotice;
import dev.quiver.edge.session.ResetReason;
import dev.quiver.edge.session.Session;
import dev.quiver.edge.session.SessionSink;

/**
 * One long poll: answers as soon as it has events (missed ones at once, else the first live batch), or when the
 * timeout passes. It keeps nothing after answering; the cursor in the answer is all the next poll needs, on any pod.
 */
final class PollExchange implements HttpStream, SessionSink {

    private final Context context;
    private final Session session;
    private final HttpServerResponse response;
    private final EdgeMetrics metrics;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final int limit;
    private final long timeoutMillis;
    private final List<EncodedEvent> events = new ArrayList<>();
    private final List<ResetNotice> resets = new ArrayList<>();
    private final PresenceTracker.Ticket ticket;
    private final boolean watchPresence;
    private final long presenceWindowMillis;
    private final List<PresenceEvent> presence = new ArrayList<>();
    private long timer = -1;
    private boolean answered;

    PollExchange(Context context, List<String> topics, TopicHub hub, HistorySource history, int maxPending,
            HttpServerResponse response, EdgeMetrics metrics, ObjectMapper json, Vertx vertx, int limit,
            long timeoutMillis, PresenceTracker.Ticket ticket, boolean watchPresence, long presenceWindowMillis) {
        this.ticket = ticket;
        this.watchPresence = watchPresence;
        this.presenceWindowMillis = presenceWindowMillis;
        this.context = context;
        this.session = new Session(context, topics, hub, history, limit, maxPending, this);
        this.response = response;
        this.metrics = metrics;
        this.json = json;
        this.vertx = vertx;
        this.limit = limit;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public Future<Void> start(SortedMap<String, TopicPosition> positions) {
        return session.start(positions);
    }

    /** An abandoned poll must not keep its timer (and with it the session) alive until the timeout. */
    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        session.close();
        // A poller is present between its polls too, for as long as it may take to come back (on any pod).
        ticket.leaveAfter(presenceWindowMillis);
    }

    @Override
    public void joined() {
        ticket.enter();
    }

    @Override
    public boolean wantsPresence() {
        return watchPresence;
    }

    @Override
    public void presence(PresenceBatch batch) {
        presence.addAll(batch.events());
        if (session.prepared()) {
            context.runOnContext(v -> answer());
        }
    }

    @Override
    public boolean wantsMoreReplay() {
        return false;
    }

    @Override
    public void event(EncodedEvent event) {
        events.add(event);
        if (events.size() >= limit) {
            answer();
        } else if (session.prepared()) {
            // Live events come in batches per topic; answering on the next turn of the loop takes the whole batch.
            context.runOnContext(v -> answer());
        }
    }

    @Override
    public void reset(ResetNotice notice, ResetReason reason) {
        metrics.reset(reason == ResetReason.EXPIRED);
        resets.add(notice);
    }

    @Override
    public void prepared() {
        if (!events.isEmpty() || !resets.isEmpty() || !presence.isEmpty() || timeoutMillis == 0) {
            answer();
        } else {
            timer = vertx.setTimer(timeoutMillis, t -> context.runOnContext(v -> answer()));
        }
    }

    @Override
    public void overflow() {
        answer();
    }

    @Override
    public void failed(Throwable cause) {
        if (!answered) {
            answered = true;
            close();
            response.setStatusCode(503).putHeader("Retry-After", "1").end();
        }
    }

    @Override
    public void heartbeat() {
        // A poll is short-lived; its timeout bounds it.
    }

    @Override
    public void drain() {
        // Answer now with what there is: the client's next poll goes to another pod.
        answer();
    }

    @Override
    public void expire() {
        // The next poll presents the credentials again and is refused if they are stale.
        answer();
    }

    private void answer() {
        if (answered) {
            return;
        }
        answered = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        String cursor = session.cursor();
        close();
        Buffer body = Buffer.buffer(256 + events.size() * 128).appendString("{\"events\":[");
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                body.appendByte((byte) ',');
            }
            body.appendBytes(events.get(i).json());
            metrics.delivered(EdgeMetrics.Transport.POLL, 1);
        }
        try {
            body.appendString("],\"cursor\":").appendString(json.writeValueAsString(cursor))
                    .appendString(",\"resets\":").appendString(json.writeValueAsString(resets));
            if (watchPresence) {
                body.appendString(",\"presence\":[");
                for (int i = 0; i < presence.size(); i++) {
                    body.appendString(i > 0 ? "," : "").appendString(presence.get(i).pollJson());
                }
                body.appendString("]");
            }
            body.appendString("}");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (!response.ended() && !response.closed()) {
            response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .end(body);
        }
    }
}
