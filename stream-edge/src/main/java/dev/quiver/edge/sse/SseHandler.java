package dev.quiver.edge.sse;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.problem.RouteProblems;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.connection.SessionLauncher;
import dev.quiver.edge.http.StreamRequest;
import dev.quiver.edge.hub.TopicHub;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.presence.PresenceTracker;
import dev.quiver.edge.security.EdgeGuard;

/** {@code GET /v1/stream}: Server-Sent Events (docs/protocol.md). */
@ApplicationScoped
public class SseHandler {

    /** Where positions may come from, in order of precedence. */
    private static final List<String> CURSOR_SOURCES = List.of("header:Last-Event-ID", "query:lastEventId");

    private final TopicHub hub;
    private final HistorySource history;
    private final SessionLauncher launcher;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final RouteProblems problems;
    private final EdgeGuard guard;
    private final ObjectMapper json;
    private final PresenceTracker presence;

    public SseHandler(TopicHub hub, HistorySource history, SessionLauncher launcher, EdgeConfig config,
            EdgeMetrics metrics, RouteProblems problems, ObjectMapper json, EdgeGuard guard, PresenceTracker presence) {
        this.presence = presence;
        this.hub = hub;
        this.history = history;
        this.launcher = launcher;
        this.config = config;
        this.metrics = metrics;
        this.problems = problems;
        this.guard = guard;
        this.json = json;
    }

    public void handle(RoutingContext context) {
        StreamRequest request;
        Principal principal;
        PresenceTracker.Ticket ticket;
        try {
            checkAccept(context.request().getHeader(HttpHeaders.ACCEPT));
            request = StreamRequest.parse(context, config.maxTopicsPerConnection(), CURSOR_SOURCES);
            principal = guard.admit(context.request(), "sse", request.topics());
            if (request.presence()) {
                presence.checkWatch(request.topics());
            }
            ticket = presence.ticket(request.topics(),
                    PresenceTracker.identity(principal, context.request().getParam("name")));
        } catch (ProblemException e) {
            problems.send(context, e);
            return;
        }
        HttpServerResponse response = context.response();
        response.setWriteQueueMaxSize((int) Math.min(Integer.MAX_VALUE, config.slowConsumerBuffer().asLongValue()));
        long retry = config.retry().toMillis();
        // Each connection its own retry between the base and twice it: clients dropped together come back spread out.
        long jitteredRetry = retry + ThreadLocalRandom.current().nextLong(retry + 1);
        launcher.launch(context, EdgeMetrics.Transport.SSE, principal, request.positions(),
                () -> new SseStream(Vertx.currentContext(), request.topics(), hub, history, config.readBatch(),
                        config.maxPendingDuringReplay(), response, context.request()::connection,
                        context.request().version(), metrics, json,
                        jitteredRetry, ticket, request.presence()));
    }

    private static void checkAccept(String accept) {
        if (accept == null || accept.isBlank()) {
            return;
        }
        String lower = accept.toLowerCase(Locale.ROOT);
        if (!lower.contains("text/event-stream") && !lower.contains("*/*") && !lower.contains("text/*")) {
            throw new ProblemException(ProblemType.NOT_ACCEPTABLE, "This endpoint produces text/event-stream");
        }
    }
}
