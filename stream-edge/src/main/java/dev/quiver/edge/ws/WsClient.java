package dev.quiver.edge.ws;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventJson;
import dev.quiver.contract.event.EventValidator;
import dev.quiver.contract.event.IdempotencyKeys;
import dev.quiver.contract.event.Topics;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.EventWriter;
import dev.quiver.contract.redis.IdempotencyConflictException;
import dev.quiver.contract.security.Authenticator;
import dev.quiver.contract.security.Caller;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.connection.ConnectionRegistry;
import dev.quiver.edge.fanout.EncodedEvent;
import dev.quiver.edge.fanout.HistoryReader;
import dev.quiver.edge.fanout.MessagePackJson;
import dev.quiver.edge.fanout.Session;
import dev.quiver.edge.fanout.TopicHub;
import dev.quiver.edge.fanout.WireFormats;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * One WebSocket client (docs/protocol.md): its subscriptions, its operations, its output budget and its liveness.
 * Everything runs on the connection's event loop.
 */
final class WsClient implements ConnectionRegistry.Connection {

    /** Most publishes one connection may have waiting to be stored; more are refused as rate-limited. */
    private static final int MAX_QUEUED_APPENDS = 1000;

    private static final Logger LOG = Logger.getLogger(WsClient.class);
    private static final Buffer PING = Buffer.buffer("q");

    private final WebSocketConnection connection;
    private final String address;
    private final long openedNanos = System.nanoTime();
    private final boolean binary;
    private final Context context;
    private final TopicHub hub;
    private final HistoryReader history;
    private final EventWriter writer;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final Principal principal;
    private final Authenticator auth;
    private final Caller caller;
    private final String pod;
    private final Map<String, WsSubscription> subscriptions = new HashMap<>();
    private long expiryTimer = -1;
    private final long budget;
    private long pendingBytes;
    private int malformedInARow;
    private boolean awaitingPong;
    private boolean closing;
    /** Publishes validated and waiting for the previous one to be stored. */
    private final ArrayDeque<Runnable> appends = new ArrayDeque<>();
    private boolean appending;

    WsClient(WebSocketConnection connection, String address, boolean binary, Context context, TopicHub hub,
            HistoryReader history, EventWriter writer, EdgeConfig config, EdgeMetrics metrics, Principal principal,
            Authenticator auth, Caller caller, String pod) {
        this.connection = connection;
        this.address = address;
        this.binary = binary;
        this.context = context;
        this.hub = hub;
        this.history = history;
        this.writer = writer;
        this.config = config;
        this.metrics = metrics;
        this.budget = config.slowConsumerBuffer().asLongValue();
        this.principal = principal;
        this.auth = auth;
        this.caller = caller;
        this.pod = pod;
    }

    /** The timer that closes the connection when its token expires, cancelled when it closes first. */
    void expiryTimer(long timer) {
        this.expiryTimer = timer;
    }

    @Override
    public Context context() {
        return context;
    }

    /** The client identity the connection limits counted it under. */
    String address() {
        return address;
    }

    long openedNanos() {
        return openedNanos;
    }

    // ---- inbound ----------------------------------------------------------------------------------------------

    void text(String frame) {
        if (binary) {
            malformed(null, "unsupported-frame", "This connection speaks quiver.v1.msgpack: send binary frames");
            return;
        }
        handle(() -> EventJson.read(frame));
    }

    void binary(Buffer frame) {
        if (!binary) {
            malformed(null, "unsupported-frame", "This connection speaks quiver.v1.json: send text frames");
            return;
        }
        handle(() -> EventJson.read(MessagePackJson.toJson(frame.getBytes())));
    }

    /**
     * Both subprotocols are read by the one strict reader of event-ingest (a MessagePack frame is turned into JSON
     * first), so a frame is refused or accepted alike whatever its encoding, and event data keeps its exact text.
     */
    private void handle(Supplier<JsonNode> reader) {
        JsonNode message;
        try {
            message = reader.get();
        } catch (ProblemException e) {
            malformed(null, "malformed-json", e.getMessage());
            return;
        }
        if (!message.isObject()) {
            malformed(null, "malformed-json", "A frame is one JSON (or MessagePack) object");
            return;
        }
        String ref = scalar(message.get("ref"));
        String op = Objects.requireNonNullElse(scalar(message.get("op")), "");
        switch (op) {
            case "subscribe" -> subscribe(message, ref);
            case "unsubscribe" -> unsubscribe(message, ref);
            case "publish" -> publish(message, ref);
            case "ping" -> {
                ObjectNode pong = reply("pong", ref);
                send(pong);
            }
            default -> {
                malformed(ref, "unknown-op", "Unknown op '" + op + "' (subscribe, unsubscribe, publish, ping)");
                return;
            }
        }
        malformedInARow = 0;
    }

    /** A scalar member as text (a number as written), {@code null} when absent, null or not a scalar. */
    private static String scalar(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        return node.isTextual() ? node.textValue() : EventJson.compact(node, "");
    }

    /** A string member's value; {@code null} when absent or not a string. */
    private static String textual(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    /** An optional string member; anything but a string or null is refused as {@code invalid-request}. */
    private static String optionalString(JsonNode message, String name) {
        JsonNode node = message.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, name + " must be a string").with("field",
                    "/" + name);
        }
        return node.textValue();
    }

    private void malformed(String ref, String code, String detail) {
        error(ref, code, detail);
        if (++malformedInARow >= config.ws().maxMalformed()) {
            close(WsCloseCodes.PROTOCOL);
        }
    }

    private void subscribe(JsonNode message, String ref) {
        String topic = textual(message.get("topic"));
        if (!Topics.isValid(topic)) {
            error(ref, "invalid-topic", "Topic names match " + Topics.PATTERN);
            return;
        }
        if (!auth.maySubscribe(principal, topic)) {
            refused(ref, "Not allowed to read topic " + topic);
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
        SortedMap<String, TopicPosition> positions = new TreeMap<>();
        if (message.hasNonNull("since")) {
            try {
                String since = textual(message.get("since"));
                if (since == null) {
                    throw new IllegalArgumentException("not a string");
                }
                positions.put(topic, TopicPosition.parseCursor(since));
            } catch (IllegalArgumentException e) {
                error(ref, "invalid-cursor", "since is a topic cursor, <epoch>:<ms>-<seq> or -");
                return;
            }
        }
        WsSubscription subscription = new WsSubscription(context, topic, ref, hub, history, config.readBatch(),
                config.maxPendingDuringReplay(), this);
        subscriptions.put(topic, subscription);
        subscription.start(positions).onFailure(failure -> subscriptionFailed(topic, ref, subscription));
    }

    private void unsubscribe(JsonNode message, String ref) {
        String topic = textual(message.get("topic"));
        Session subscription = topic == null ? null : subscriptions.remove(topic);
        if (subscription == null) {
            error(ref, "not-subscribed", "Not subscribed to " + topic);
            return;
        }
        subscription.close();
    }

    /** The very validation and atomic write of event-ingest: the same classes, not a copy. */
    private void publish(JsonNode message, String ref) {
        String topic = textual(message.get("topic"));
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
            draft = EventValidator.validate(topic, message.get("event"), "/event", Set.of());
            auth.chargePublish(principal, 1, caller);
            String idempotencyKey = optionalString(message, "idempotencyKey");
            key = idempotencyKey == null
                    ? null
                    : IdempotencyKeys.single(IdempotencyKeys.validate(idempotencyKey, "/idempotencyKey"));
        } catch (ProblemException e) {
            ObjectNode refusal = errorMessage(ref, e.type().slug(), e.getMessage());
            if (e.retryAfterSeconds() != null) {
                refusal.put("retryAfter", e.retryAfterSeconds());
            }
            send(refusal);
            return;
        }
        if (appends.size() >= MAX_QUEUED_APPENDS) {
            ObjectNode refusal = errorMessage(ref, ProblemType.RATE_LIMITED.slug(),
                    MAX_QUEUED_APPENDS + " publishes already waiting on this connection");
            refusal.put("retryAfter", 1);
            send(refusal);
            return;
        }
        appends.add(() -> writer.append(topic, List.of(new AppendRequest(draft, key))).subscribe().with(
                result -> context.runOnContext(v -> {
                    ObjectNode published = reply("published", ref);
                    published.put("id", result.ids().get(0));
                    send(published);
                    nextAppend();
                }),
                failure -> context.runOnContext(v -> {
                    if (failure instanceof IdempotencyConflictException) {
                        error(ref, ProblemType.IDEMPOTENCY_CONFLICT.slug(), "Idempotency key reused for another event");
                    } else if (failure instanceof ProblemException problem) {
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
        if (binary) {
            Buffer bytes = event.wsBinary();
            account(bytes.length(), connection.sendBinary(bytes));
        } else {
            String text = event.wsText();
            account(text.length(), connection.sendText(text));
        }
        metrics.delivered(EdgeMetrics.Transport.WS, 1);
    }

    void subscribed(String topic, String ref, boolean recovered, String cursor) {
        ObjectNode message = reply("subscribed", ref);
        message.put("topic", topic);
        message.put("recovered", recovered);
        message.put("cursor", cursor);
        message.put("pod", pod);
        send(message);
    }

    void reset(String topic, Session.ResetReason reason) {
        metrics.reset(reason == Session.ResetReason.EXPIRED);
        ObjectNode message = WireFormats.JSON.createObjectNode();
        message.put("op", "reset");
        message.put("topic", topic);
        message.put("reason", reason.wire());
        message.put("snapshot", "/v1/topics/" + topic + "/snapshot");
        send(message);
    }

    /** Removes exactly {@code subscription}: the topic may have been unsubscribed and subscribed again since. */
    void subscriptionFailed(String topic, String ref, WsSubscription subscription) {
        subscription.close();
        if (subscriptions.remove(topic, subscription)) {
            error(ref, ProblemType.BACKEND_UNAVAILABLE.slug(), "Redis is unavailable; subscribe again shortly");
        }
    }

    void slow() {
        if (!closing) {
            metrics.slowConsumer();
            close(WsCloseCodes.SLOW);
        }
    }

    private void error(String ref, String code, String detail) {
        send(errorMessage(ref, code, detail));
    }

    private ObjectNode errorMessage(String ref, String code, String detail) {
        ObjectNode message = reply("error", ref);
        message.put("code", code);
        message.put("message", detail);
        return message;
    }

    /** An operation outside the principal's topics: an audit line and an error; the connection stays. */
    private void refused(String ref, String detail) {
        auth.audit(403, "topic-not-allowed", principal, caller);
        metrics.onProblem(ProblemType.FORBIDDEN);
        error(ref, ProblemType.FORBIDDEN.slug(), detail);
    }

    private ObjectNode reply(String op, String ref) {
        ObjectNode message = WireFormats.JSON.createObjectNode();
        message.put("op", op);
        if (ref != null) {
            message.put("ref", ref);
        }
        return message;
    }

    private void send(ObjectNode message) {
        if (closing) {
            return;
        }
        byte[] bytes = WireFormats.encode(message, binary);
        if (binary) {
            account(bytes.length, connection.sendBinary(Buffer.buffer(bytes)));
        } else {
            String text = new String(bytes, StandardCharsets.UTF_8);
            account(text.length(), connection.sendText(text));
        }
    }

    /** Counts bytes handed to the socket and not yet written; past the budget the client is too slow. */
    private void account(long size, Uni<Void> sending) {
        pendingBytes += size;
        sending.subscribe().with(v -> written(size), failure -> written(size));
        if (pendingBytes > budget) {
            slow();
        }
    }

    /** Vert.x completes a write on the connection's own event loop, the thread everything else here runs on. */
    private void written(long size) {
        pendingBytes -= size;
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
        connection.sendPing(PING).subscribe().with(v -> {
        }, failure -> {
        });
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

    void close(CloseReason reason) {
        if (closing) {
            return;
        }
        closing = true;
        cancelExpiry();
        subscriptions.values().forEach(Session::close);
        subscriptions.clear();
        connection.close(reason).subscribe().with(v -> {
        }, failure -> {
        });
    }

    private void cancelExpiry() {
        if (expiryTimer >= 0) {
            context.owner().cancelTimer(expiryTimer);
            expiryTimer = -1;
        }
    }

    /** The connection is gone: leave every topic. */
    void closed() {
        closing = true;
        cancelExpiry();
        subscriptions.values().forEach(Session::close);
        subscriptions.clear();
    }
}
