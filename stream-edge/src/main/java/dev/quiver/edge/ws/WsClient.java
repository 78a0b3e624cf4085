package dev.quiver.edge.ws;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventJson;
import dev.quiver.contract.event.IdempotencyKeys;
import dev.quiver.contract.event.Topics;
import dev.quiver.contract.event.Traceparent;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.publish.EventPublisher;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.contract.security.Authenticator;
import dev.quiver.contract.security.Caller;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.connection.ConnectionRegistry;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.PresenceBatch;
import dev.quiver.edge.event.PresenceEvent;
import dev.quiver.edge.hub.TopicHub;
import dev.quiver.edge.loop.EventLoops;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.presence.PresenceTracker;
import dev.quiver.edge.session.ResetNotice;
import dev.quiver.edge.session.ResetReason;
import dev.quiver.edge.ws.protocol.ClientOp;
import dev.quiver.edge.ws.protocol.Frame;
import dev.quiver.edge.ws.protocol.ServerMessage;
import dev.quiver.edge.ws.protocol.WsCodec;

/**
 * One WebSocket client (docs/protocol.md): its subscriptions, its operations, its output budget and its liveness.
 * Everything runs on the connection's event loop.
 */
final class WsClient implements ConnectionRegistry.Connection {

    /** Most publishes one connection may have waiting to be stored; more are refused as rate-limited. */
    private static final int MAX_QUEUED_APPENDS = 1000;

    private static final Logger LOG = Logger.getLogger(WsClient.class);
    private static final Buffer PING = Buffer.buffer("q");
    private static final int DEFAULT_PRESENCE_PAGE = 100;
    private static final int MAX_PRESENCE_PAGE = 1000;

    private final ServerWebSocket socket;
    private final WsCodec codec;
    private final Context context;
    private final TopicHub hub;
    private final HistorySource history;
    private final EventPublisher publisher;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final Principal principal;
    private final Authenticator auth;
    private final Caller caller;
    private final String pod;
    private final PresenceTracker presence;
    private final PresenceTracker.Identity identity;
    private final Map<String, WsSubscription> subscriptions = new HashMap<>();
    private int malformedInARow;
    private boolean awaitingPong;
    private boolean closing;
    /** Publishes validated and waiting for the previous one to be stored. */
    private final ArrayDeque<Runnable> appends = new ArrayDeque<>();
    private boolean appending;

    WsClient(ServerWebSocket socket, WsCodec codec, Context context,
            TopicHub hub, HistorySource history, EventPublisher publisher, EdgeConfig config, EdgeMetrics metrics,
            Principal principal, Authenticator auth, Caller caller, String pod, PresenceTracker presence,
            PresenceTracker.Identity identity) {
        this.presence = presence;
        this.identity = identity;
        this.socket = socket;
        // Bytes written and not yet taken by the client; past them it is a slow consumer.
        socket.setWriteQueueMaxSize((int) Math.min(Integer.MAX_VALUE, config.slowConsumerBuffer().asLongValue()));
        this.codec = codec;
        this.context = context;
        this.hub = hub;
        this.history = history;
        this.publisher = publisher;
        this.config = config;
        this.metrics = metrics;
        this.principal = principal;
        this.auth = auth;
        this.caller = caller;
        this.pod = pod;
    }

    @Override
    public Context context() {
        return context;
    }

    // ---- inbound ----------------------------------------------------------------------------------------------

    void text(String frame) {
        if (codec.binary()) {
            malformed(null, "unsupported-frame", "This connection speaks quiver.v1.msgpack: send binary frames");
            return;
        }
        handle(() -> codec.read(frame));
    }

    void binary(Buffer frame) {
        if (!codec.binary()) {
            malformed(null, "unsupported-frame", "This connection speaks quiver.v1.json: send text frames");
            return;
        }
        handle(() -> codec.read(frame));
    }

    /**
     * Both subprotocols are read by the one strict reader of event-ingest (a MessagePack frame is turned into JSON
     * first), so a frame is refused or accepted alike whatever its encoding, and event data keeps its exact text.
     */
    private void handle(Supplier<JsonNode> reader) {
        ClientOp op;
        try {
            op = ClientOp.read(reader.get());
        } catch (ProblemException e) {
            malformed(null, "malformed-json", e.getMessage());
            return;
        } catch (ClientOp.Refused refused) {
            if (refused.malformed()) {
                malformed(refused.ref(), refused.code(), refused.getMessage());
            } else {
                error(refused.ref(), refused.code(), refused.getMessage());
                malformedInARow = 0;
            }
            return;
        }
        if (op instanceof ClientOp.Subscribe subscribe) {
            subscribe(subscribe);
        } else if (op instanceof ClientOp.Unsubscribe unsubscribe) {
            unsubscribe(unsubscribe);
        } else if (op instanceof ClientOp.Publish publish) {
            publish(publish);
        } else if (op instanceof ClientOp.Presence read) {
            presence(read);
        } else if (op instanceof ClientOp.Ping ping) {
            send(new ServerMessage.Pong(ping.ref()));
        }
        malformedInARow = 0;
    }

    private void malformed(String ref, String code, String detail) {
        error(ref, code, detail);
        if (++malformedInARow >= config.ws().maxMalformed()) {
            close(WsCloseCodes.PROTOCOL);
        }
    }

    /** Whether {@code topic} is a valid name the principal may read; if not, the client was told why. */
    private boolean readable(String ref, String topic) {
        if (!Topics.isValid(topic)) {
            error(ref, "invalid-topic", "Topic names match " + Topics.PATTERN);
            return false;
        }
        if (!auth.maySubscribe(principal, topic)) {
            refused(ref, "Not allowed to read topic " + topic);
            return false;
        }
        return true;
    }

    private void subscribe(ClientOp.Subscribe op) {
        String topic = op.topic();
        String ref = op.ref();
        if (!readable(ref, topic)) {
            return;
        }
        if (subscriptions.containsKey(topic)) {
            error(ref, "already-subscribed", "Already subscribed to " + topic);
            return;
        }
        if (subscriptions.size() >= config.maxTopicsPerConnection()) {
            error(ref, "too-many-topics", "At most " + config.maxTopicsPerConnection() + " topics per connection");
            return;
        }
        if (op.presence()) {
            try {
                presence.checkWatch(List.of(topic));
            } catch (ProblemException e) {
                error(ref, e.type().slug(), e.getMessage());
                return;
            }
        }
        SortedMap<String, TopicPosition> positions = new TreeMap<>();
        if (op.since() != null) {
            try {
                positions.put(topic, TopicPosition.parseCursor(op.since()));
            } catch (IllegalArgumentException e) {
                error(ref, "invalid-cursor", "since is a topic cursor, <epoch>:<ms>-<seq> or -");
                return;
            }
        }
        WsSubscription subscription = new WsSubscription(context, topic, ref, hub, history, config.readBatch(),
                config.maxPendingDuringReplay(), this, presence.ticket(List.of(topic), identity), op.presence());
        subscriptions.put(topic, subscription);
        subscription.start(positions).onFailure(failure -> subscriptionFailed(topic, ref, subscription));
    }

    /** One page of a topic's members: the same right as subscribing to it, and the topic must have presence. */
    private void presence(ClientOp.Presence op) {
        String topic = op.topic();
        String ref = op.ref();
        if (!readable(ref, topic)) {
            return;
        }
        if (!presence.enabled(topic)) {
            error(ref, ProblemType.NOT_FOUND.slug(), "Topic " + topic + " has no presence (quiver.presence.topics)");
            return;
        }
        int limit = op.limit() == null ? DEFAULT_PRESENCE_PAGE : op.limit();
        if (limit < 1 || limit > MAX_PRESENCE_PAGE) {
            error(ref, ProblemType.INVALID_REQUEST.slug(), "limit must be from 1 to " + MAX_PRESENCE_PAGE);
            return;
        }
        EventLoops.onContext(presence.page(topic, op.after(), limit), context, read -> {
            if (read.failed()) {
                error(ref, ProblemType.BACKEND_UNAVAILABLE.slug(), "The broker is unavailable; ask again shortly");
                return;
            }
            PresenceLayout.Page page = read.result();
            List<JsonNode> members = new ArrayList<>(page.members().size());
            String last = null;
            try {
                for (String member : page.members()) {
                    JsonNode node = EventJson.read(member);
                    members.add(node);
                    last = node.path("sub").asText();
                }
                send(new ServerMessage.Presence(ref, topic, page.count(), page.anonymous(), members,
                        page.more() ? last : null));
            } catch (RuntimeException e) {
                LOG.warn("cannot answer a presence read", e);
                error(ref, ProblemType.INTERNAL.slug(), "Internal error");
            }
        });
    }

    private void unsubscribe(ClientOp.Unsubscribe op) {
        WsSubscription subscription = op.topic() == null ? null : subscriptions.remove(op.topic());
        if (subscription == null) {
            error(op.ref(), "not-subscribed", "Not subscribed to " + op.topic());
            return;
        }
        subscription.close();
    }

    /** The very validation and atomic write of event-ingest: the same publisher, not a copy. */
    private void publish(ClientOp.Publish op) {
        String topic = op.topic();
        String ref = op.ref();
        EventDraft draft;
        String key;
        try {
            if (!Topics.isValid(topic)) {
                throw new ProblemException(ProblemType.INVALID_TOPIC, "Topic names match " + Topics.PATTERN);
            }
            if (!auth.stillValid(principal)) {
                close(WsCloseCodes.REVOKED);
                return;
            }
            // Rights first: validating an event the caller may not publish is work for nothing.
            if (!auth.mayPublish(principal, topic)) {
                refused(ref, "Not allowed to publish to topic " + topic);
                return;
            }
            draft = publisher.validate(topic, op.event(), "/event");
            auth.chargePublish(principal, 1, caller);
            key = op.idempotencyKey() == null
                    ? null
                    : IdempotencyKeys.single(IdempotencyKeys.validate(op.idempotencyKey(), "/idempotencyKey"));
        } catch (ProblemException e) {
            send(new ServerMessage.Error(ref, e.type().slug(), e.getMessage(), e.retryAfterSeconds()));
            return;
        }
        if (appends.size() >= MAX_QUEUED_APPENDS) {
            send(new ServerMessage.Error(ref, ProblemType.RATE_LIMITED.slug(),
                    MAX_QUEUED_APPENDS + " publishes already waiting on this connection", 1));
            return;
        }
        // A malformed traceparent is dropped, not refused: tracing must never cost a client its publish.
        String traceparent = Traceparent.valid(op.traceparent());
        appends.add(() -> publisher.publish(draft, key, traceparent).subscribe().with(
                stored -> context.runOnContext(v -> {
                    send(new ServerMessage.Published(ref, stored.id()));
                    nextAppend();
                }),
                failure -> context.runOnContext(v -> {
                    if (failure instanceof ProblemException problem) {
                        error(ref, problem.type().slug(), problem.getMessage());
                    } else {
                        LOG.warn("publish failed", failure);
                        error(ref, ProblemType.INTERNAL.slug(), "Internal error");
                    }
                    nextAppend();
                })));
        if (!appending) {
            nextAppend();
        }
    }

    /**
     * Publishes of one connection are written one after the other, so they are stored in the order they were sent:
     * concurrent appends on pooled Redis connections could overtake each other. Runs on the connection's context.
     */
    private void nextAppend() {
        Runnable next = appends.poll();
        appending = next != null;
        if (next != null) {
            next.run();
        }
    }

    // ---- outbound ---------------------------------------------------------------------------------------------

    void event(EncodedEvent event) {
        if (closing) {
            return;
        }
        send(codec.event(event));
        metrics.delivered(EdgeMetrics.Transport.WS, 1);
    }

    void presence(PresenceBatch batch) {
        for (PresenceEvent event : batch.events()) {
            send(codec.presence(event));
        }
    }

    void subscribed(String topic, String ref, boolean recovered, String cursor) {
        send(new ServerMessage.Subscribed(ref, topic, recovered, cursor, pod));
    }

    void reset(ResetNotice notice, ResetReason reason) {
        metrics.reset(reason == ResetReason.EXPIRED);
        send(new ServerMessage.Reset(notice));
    }

    /** Removes exactly {@code subscription}: the topic may have been unsubscribed and subscribed again since. */
    void subscriptionFailed(String topic, String ref, WsSubscription subscription) {
        subscription.close();
        if (subscriptions.remove(topic, subscription)) {
            error(ref, ProblemType.BACKEND_UNAVAILABLE.slug(), "The broker is unavailable; subscribe again shortly");
        }
    }

    void slow() {
        if (!closing) {
            metrics.slowConsumer();
            close(WsCloseCodes.SLOW);
        }
    }

    private void error(String ref, String code, String detail) {
        send(new ServerMessage.Error(ref, code, detail));
    }

    /** An operation outside the principal's topics: an audit line and an error; the connection stays. */
    private void refused(String ref, String detail) {
        auth.audit(403, "topic-not-allowed", principal, caller);
        metrics.onProblem(ProblemType.FORBIDDEN);
        error(ref, ProblemType.FORBIDDEN.slug(), detail);
    }

    private void send(ServerMessage message) {
        if (!closing) {
            send(codec.write(message));
        }
    }

    /** A client that leaves more than the slow-consumer buffer unread is too slow. */
    private void send(Frame frame) {
        if (closing) {
            return;
        }
        frame.writeTo(socket);
        if (socket.writeQueueFull()) {
            slow();
        }
    }

    // ---- liveness, drain, close ----------------------------------------------------------------------------------

    void pong() {
        awaitingPong = false;
    }

    @Override
    public void heartbeat() {
        if (closing) {
            return;
        }
        if (awaitingPong) {
            close(WsCloseCodes.PONG_TIMEOUT);
            return;
        }
        awaitingPong = true;
        socket.writePing(PING, null);
    }

    @Override
    public void drain() {
        if (!closing) {
            metrics.drained();
            close(WsCloseCodes.RESTART);
        }
    }

    @Override
    public void expire() {
        if (!closing) {
            close(WsCloseCodes.TOKEN_EXPIRED);
        }
    }

    void close(WsCloseCodes.Close reason) {
        if (closing) {
            return;
        }
        closing = true;
        leaveAll();
        socket.close(reason.code(), reason.reason(), null);
    }

    /** The connection is gone: leave every topic. */
    void closed() {
        closing = true;
        leaveAll();
    }

    private void leaveAll() {
        subscriptions.values().forEach(WsSubscription::close);
        subscriptions.clear();
    }
}
