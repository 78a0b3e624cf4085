package dev.quiver.edge.ws;

import java.util.List;
import java.util.SortedMap;

import io.vertx.core.Context;
import io.vertx.core.Future;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.PresenceBatch;
import dev.quiver.edge.hub.TopicHub;
import dev.quiver.edge.presence.PresenceTracker;
import dev.quiver.edge.session.ResetNotice;
import dev.quiver.edge.session.ResetReason;
import dev.quiver.edge.session.Session;
import dev.quiver.edge.session.SessionSink;

/**
 * One topic subscribed on a WebSocket connection. A WebSocket carries many of these, added and removed by the client,
 * each with its own session and cursor; they share the connection's output and its slow-consumer budget.
 */
final class WsSubscription implements SessionSink {

    private final WsClient client;
    private final String topic;
    private final String ref;
    private final Session session;
    private final PresenceTracker.Ticket ticket;
    private final boolean watchPresence;

    WsSubscription(Context context, String topic, String ref, TopicHub hub, HistorySource history, int replayBatch,
            int maxPending, WsClient client, PresenceTracker.Ticket ticket, boolean watchPresence) {
        this.ticket = ticket;
        this.watchPresence = watchPresence;
        this.client = client;
        this.topic = topic;
        this.ref = ref;
        this.session = new Session(context, List.of(topic), hub, history, replayBatch, maxPending, this);
    }

    Future<Void> start(SortedMap<String, TopicPosition> positions) {
        return session.start(positions);
    }

    void close() {
        session.close();
        ticket.leave();
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
        client.presence(batch);
    }

    @Override
    public void decided(String topic, boolean recovered, TopicPosition position) {
        client.subscribed(topic, ref, recovered, position.wire());
    }

    @Override
    public void event(EncodedEvent event) {
        client.event(event);
    }

    @Override
    public void reset(ResetNotice notice, ResetReason reason) {
        client.reset(notice, reason);
    }

    @Override
    public void overflow() {
        client.slow();
    }

    @Override
    public void failed(Throwable cause) {
        client.subscriptionFailed(topic, ref, this);
    }
}
