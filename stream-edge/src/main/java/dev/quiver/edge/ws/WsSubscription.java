package dev.quiver.edge.ws;

import java.util.List;

import io.vertx.core.Context;

import dev.quiver.edge.fanout.EncodedEvent;
import dev.quiver.edge.fanout.HistoryReader;
import dev.quiver.edge.fanout.Session;
import dev.quiver.edge.fanout.TopicHub;

/**
 * One topic subscribed on a WebSocket connection. A WebSocket carries many of these, added and removed by the client,
 * each with its own cursor; they share the connection's output and its slow-consumer budget.
 */
final class WsSubscription extends Session {

    private final WsClient client;
    private final String topic;
    private final String ref;

    WsSubscription(Context context, String topic, String ref, TopicHub hub, HistoryReader history, int replayBatch,
            int maxPending, WsClient client) {
        super(context, List.of(topic), hub, history, replayBatch, maxPending);
        this.client = client;
        this.topic = topic;
        this.ref = ref;
    }

    @Override
    protected void onDecided(String topic, boolean recovered) {
        client.subscribed(topic, ref, recovered, position(topic).wire());
    }

    @Override
    protected void emit(EncodedEvent event) {
        client.event(event);
    }

    @Override
    protected void emitReset(String topic, ResetReason reason) {
        client.reset(topic, reason);
    }

    @Override
    protected void overflow() {
        client.slow();
    }

    @Override
    protected void failed(Throwable cause) {
        client.subscriptionFailed(topic, ref, this);
    }
}
