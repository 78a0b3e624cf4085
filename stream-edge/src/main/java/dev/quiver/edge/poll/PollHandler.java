package dev.quiver.edge.poll;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.config.PresenceConfig;
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

/** {@code GET /v1/poll}: stateless long polling, the fallback when streaming cannot get through (docs/protocol.md). */
@ApplicationScoped
public class PollHandler {

    private static final List<String> CURSOR_SOURCES = List.of("query:cursor");

    private final TopicHub hub;
    private final HistorySource history;
    private final SessionLauncher launcher;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final RouteProblems problems;
    private final EdgeGuard guard;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final PresenceTracker presence;
    private final long pollWindow;

    public PollHandler(TopicHub hub, HistorySource history, SessionLauncher launcher, EdgeConfig config,
            EdgeMetrics metrics, RouteProblems problems, ObjectMapper json, Vertx vertx, EdgeGuard guard,
            PresenceTracker presence, PresenceConfig presenceConfig) {
        this.presence = presence;
        this.pollWindow = presenceConfig.pollWindow().toMillis();
        this.hub = hub;
        this.history = history;
        this.launcher = launcher;
        this.config = config;
        this.metrics = metrics;
        this.problems = problems;
        this.guard = guard;
        this.json = json;
        this.vertx = vertx;
    }

    public void handle(RoutingContext context) {
        StreamRequest request;
        Principal principal;
        PresenceTracker.Ticket ticket;
        int timeout;
        int limit;
        try {
            request = StreamRequest.parse(context, config.maxTopicsPerConnection(), CURSOR_SOURCES);
            principal = guard.admit(context.request(), "poll", request.topics());
            if (request.presence()) {
                presence.checkWatch(request.topics());
            }
            ticket = presence.ticket(request.topics(),
                    PresenceTracker.identity(principal, context.request().getParam("name")));
            timeout = intParam(context, "timeout", 25, 0, config.poll().maxTimeout());
            limit = intParam(context, "limit", config.poll().defaultLimit(), 1, config.poll().maxLimit());
        } catch (ProblemException e) {
            problems.send(context, e);
            return;
        }
        long timeoutMillis = timeout * 1000L;
        launcher.launch(context, EdgeMetrics.Transport.POLL, principal, request.positions(),
                () -> new PollExchange(Vertx.currentContext(), request.topics(), hub, history,
                        config.maxPendingDuringReplay(), context.response(), metrics, json, vertx, limit,
                        timeoutMillis, ticket, request.presence(), pollWindow));
    }

    private static int intParam(RoutingContext context, String name, int fallback, int min, int max) {
        List<String> values = context.queryParam(name);
        if (values.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(values.get(0));
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ProblemException(ProblemType.INVALID_REQUEST,
                    name + " must be a whole number from " + min + " to " + max).with("field", "query:" + name);
        }
    }
}
