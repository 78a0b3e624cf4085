package dev.quiver.edge.ws;

import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.publish.EventPublisher;
import dev.quiver.contract.security.Authenticator;
import dev.quiver.contract.security.Caller;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.connection.ConnectionLifecycle;
import dev.quiver.edge.http.PodIdentity;
import dev.quiver.edge.hub.TopicHub;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.ws.protocol.JsonCodec;
import dev.quiver.edge.ws.protocol.MessagePackCodec;
import dev.quiver.edge.ws.protocol.WsCodec;

/**
 * {@code /v1/ws}: the WebSocket transport (docs/protocol.md), on the same fan-out engine, limits and drain as SSE.
 * Subprotocol {@code quiver.v1.msgpack} selects binary MessagePack frames; anything else speaks JSON text frames.
 */
@WebSocket(path = "/v1/ws")
public class WsEndpoint {

    private static final Logger LOG = Logger.getLogger(WsEndpoint.class);

    private final TopicHub hub;
    private final HistorySource history;
    private final EventPublisher publisher;
    private final ConnectionLifecycle lifecycle;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final Authenticator auth;
    private final PodIdentity pod;
    private final JsonCodec json;
    private final MessagePackCodec msgpack;
    private final ConcurrentHashMap<String, WsClient> clients = new ConcurrentHashMap<>();

    public WsEndpoint(TopicHub hub, HistorySource history, EventPublisher publisher, ConnectionLifecycle lifecycle,
            EdgeConfig config, EdgeMetrics metrics, Authenticator auth, PodIdentity pod, JsonCodec json,
            MessagePackCodec msgpack) {
        this.hub = hub;
        this.history = history;
        this.publisher = publisher;
        this.lifecycle = lifecycle;
        this.config = config;
        this.metrics = metrics;
        this.auth = auth;
        this.pod = pod;
        this.json = json;
        this.msgpack = msgpack;
    }

    @OnOpen
    @NonBlocking
    public void open(WebSocketConnection connection) {
        String address = connection.handshakeRequest().remoteAddress();
        String ip = address == null ? "-" : address.replaceFirst(":\\d+$", "");
        Principal principal = connection.userData().get(WsUpgradeCheck.PRINCIPAL);
        if (principal == null) {
            principal = Principal.ANONYMOUS;
        }
        ConnectionLifecycle.Lease lease;
        try {
            lease = lifecycle.admit(EdgeMetrics.Transport.WS, principal, ip);
        } catch (ProblemException e) {
            metrics.onProblem(e.type());
            connection.close(e.type() == ProblemType.POD_UNAVAILABLE && lifecycle.draining()
                    ? WsCloseCodes.RESTART
                    : WsCloseCodes.TOO_MANY).subscribe().with(v -> {
                    }, failure -> {
                    });
            return;
        }
        WsCodec codec = MessagePackCodec.SUBPROTOCOL.equals(connection.subprotocol()) ? msgpack : json;
        WsClient client = new WsClient(connection, lease, codec, Vertx.currentContext(), hub, history, publisher,
                config, metrics, principal, auth, new Caller(ip, "ws", connection.handshakeRequest().path()),
                pod.name());
        clients.put(connection.id(), client);
        lease.open(client);
    }

    @OnTextMessage
    @NonBlocking
    public void text(WebSocketConnection connection, String frame) {
        WsClient client = clients.get(connection.id());
        if (client != null) {
            client.text(frame);
        }
    }

    @OnBinaryMessage
    @NonBlocking
    public void binary(WebSocketConnection connection, Buffer frame) {
        WsClient client = clients.get(connection.id());
        if (client != null) {
            client.binary(frame);
        }
    }

    @OnPongMessage
    @NonBlocking
    public void pong(WebSocketConnection connection, Buffer data) {
        WsClient client = clients.get(connection.id());
        if (client != null) {
            client.pong();
        }
    }

    @OnClose
    @NonBlocking
    public void close(WebSocketConnection connection) {
        WsClient client = clients.remove(connection.id());
        if (client != null) {
            client.closed();
            client.lease().release();
        }
    }

    @OnError
    @NonBlocking
    public void error(WebSocketConnection connection, Throwable failure) {
        WsClient client = clients.get(connection.id());
        if (client == null) {
            return;
        }
        if (failure instanceof CorruptedWebSocketFrameException corrupted) {
            // An oversized or invalid single frame: Netty names the code (1009 for too big, 1002 otherwise).
            client.close(new CloseReason(corrupted.closeStatus().code(), corrupted.closeStatus().reasonText()));
        } else if (failure instanceof IllegalStateException && String.valueOf(failure.getMessage())
                .contains("max message size")) {
            // A message whose fragments add up to more than the limit: Vert.x reports it only by this message.
            client.close(WsCloseCodes.TOO_BIG);
        } else {
            LOG.warn("WebSocket failure", failure);
            client.close(WsCloseCodes.INTERNAL);
        }
    }
}
