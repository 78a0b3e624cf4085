package dev.quiver.edge.ws;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.problem.RouteProblems;
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
import dev.quiver.edge.presence.PresenceTracker;
import dev.quiver.edge.security.EdgeGuard;
import dev.quiver.edge.ws.protocol.JsonCodec;
import dev.quiver.edge.ws.protocol.MessagePackCodec;
import dev.quiver.edge.ws.protocol.WsCodec;

/**
 * {@code GET /v1/ws}: the WebSocket transport (docs/protocol.md), on the same fan-out engine, limits and drain as SSE.
 * Subprotocol {@code quiver.v1.msgpack} selects binary MessagePack frames; anything else speaks JSON text frames.
 * <p>
 * A plain Vert.x route on Vert.x's own {@link ServerWebSocket}: the handshake is decided before the upgrade, so a
 * refused client costs no socket state and gets a problem with its headers (403 for a foreign Origin, 429 with
 * {@code Retry-After}, 401 with {@code WWW-Authenticate}); a connection is then one {@link WsClient} and the socket,
 * watched through its write queue: none of WebSockets Next's per-connection objects and no {@code Uni} per message
 * (docs/benchmarks.md, issue #18 goals 2 and 3).
 */
@ApplicationScoped
public class WsHandler {

    private static final Logger LOG = Logger.getLogger(WsHandler.class);

    private final TopicHub hub;
    private final HistorySource history;
    private final EventPublisher publisher;
    private final ConnectionLifecycle lifecycle;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final Authenticator auth;
    private final EdgeGuard guard;
    private final RouteProblems problems;
    private final PodIdentity pod;
    private final JsonCodec json;
    private final MessagePackCodec msgpack;
    private final PresenceTracker presence;

    public WsHandler(TopicHub hub, HistorySource history, EventPublisher publisher, ConnectionLifecycle lifecycle,
            EdgeConfig config, EdgeMetrics metrics, Authenticator auth, EdgeGuard guard, RouteProblems problems,
            PodIdentity pod, JsonCodec json, MessagePackCodec msgpack, PresenceTracker presence) {
        this.presence = presence;
        this.hub = hub;
        this.history = history;
        this.publisher = publisher;
        this.lifecycle = lifecycle;
        this.config = config;
        this.metrics = metrics;
        this.auth = auth;
        this.guard = guard;
        this.problems = problems;
        this.pod = pod;
        this.json = json;
        this.msgpack = msgpack;
    }

    public void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            problems.send(context, new ProblemException(ProblemType.INVALID_REQUEST,
                    "/v1/ws is a WebSocket endpoint: send a WebSocket handshake (Upgrade: websocket)"));
            return;
        }
        if (!guard.originAllowed(request.getHeader("Origin"))) {
            guard.originRefused(request);
            problems.send(context, new ProblemException(ProblemType.FORBIDDEN,
                    "WebSocket handshakes from this Origin are not allowed (quiver.edge.ws.allowed-origins)"));
            return;
        }
        Principal principal;
        PresenceTracker.Identity identity;
        try {
            principal = guard.admit(request, "ws", List.of());
            identity = PresenceTracker.identity(principal, request.getParam("name"));
        } catch (ProblemException e) {
            problems.send(context, e);
            return;
        }
        String ip = EdgeGuard.ip(request);
        Caller caller = new Caller(ip, "ws", request.path());
        request.toWebSocket().onComplete(upgraded -> {
            if (upgraded.succeeded()) {
                open(upgraded.result(), principal, identity, ip, caller);
            } else {
                LOG.debugf("WebSocket handshake failed: %s", upgraded.cause());
            }
        });
    }

    private void open(ServerWebSocket socket, Principal principal, PresenceTracker.Identity identity, String ip,
            Caller caller) {
        ConnectionLifecycle.Lease lease;
        try {
            lease = lifecycle.admit(EdgeMetrics.Transport.WS, principal, ip);
        } catch (ProblemException e) {
            metrics.onProblem(e.type());
            WsCloseCodes.Close close = e.type() == ProblemType.POD_UNAVAILABLE && lifecycle.draining()
                    ? WsCloseCodes.RESTART
                    : WsCloseCodes.TOO_MANY;
            socket.close(close.code(), close.reason(), null);
            return;
        }
        WsCodec codec = MessagePackCodec.SUBPROTOCOL.equals(socket.subProtocol()) ? msgpack : json;
        WsClient client = new WsClient(socket, codec, Vertx.currentContext(), hub, history, publisher, config,
                metrics, principal, auth, caller, pod.name(), presence, identity);
        socket.textMessageHandler(client::text);
        socket.binaryMessageHandler(client::binary);
        socket.pongHandler(data -> client.pong());
        socket.exceptionHandler(failure -> failed(client, failure));
        socket.closeHandler(v -> {
            client.closed();
            lease.release();
        });
        lease.open(client);
    }

    private static void failed(WsClient client, Throwable failure) {
        if (failure instanceof CorruptedWebSocketFrameException corrupted) {
            // An oversized or invalid single frame: Netty names the code (1009 for too big, 1002 otherwise).
            client.close(new WsCloseCodes.Close(corrupted.closeStatus().code(), corrupted.closeStatus().reasonText()));
        } else if (failure instanceof IllegalStateException && String.valueOf(failure.getMessage())
                .contains("max message size")) {
            // A message whose fragments add up to more than the limit: Vert.x reports it only by this message.
            client.close(WsCloseCodes.TOO_BIG);
        } else {
            LOG.debugf("WebSocket failure: %s", failure);
            client.close(WsCloseCodes.INTERNAL);
        }
    }
}
