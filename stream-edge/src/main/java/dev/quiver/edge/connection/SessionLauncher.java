package dev.quiver.edge.connection;

import java.util.SortedMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.edge.fanout.Session;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.rest.VertxProblems;

/**
 * What every transport does around a session: admission against the limits, registration for heartbeats and drain,
 * metrics, and exactly-once cleanup however the connection ends.
 */
@ApplicationScoped
public class SessionLauncher {

    private final ConnectionRegistry registry;
    private final EdgeMetrics metrics;
    private final VertxProblems problems;

    public SessionLauncher(ConnectionRegistry registry, EdgeMetrics metrics, VertxProblems problems) {
        this.registry = registry;
        this.metrics = metrics;
        this.problems = problems;
    }

    /**
     * Admits the client of {@code context} (or answers the problem that refuses it), then creates and starts its
     * session from {@code positions}. A session that cannot join (Redis down) is answered 503 if nothing was sent.
     */
    public <S extends Session & ConnectionRegistry.Connection> void launch(RoutingContext context,
            EdgeMetrics.Transport transport, SortedMap<String, TopicPosition> positions, Supplier<S> factory) {
        String client = context.request().remoteAddress() == null
                ? "unknown"
                : context.request().remoteAddress().host();
        try {
            registry.admit(client);
        } catch (ProblemException e) {
            problems.send(context, e);
            return;
        }
        long opened = System.nanoTime();
        HttpServerResponse response = context.response();
        S session = factory.get();
        boolean[] released = {false};
        Runnable release = () -> {
            if (!released[0]) {
                released[0] = true;
                session.close();
                registry.remove(session);
                registry.release(client);
                metrics.closed(transport, opened);
            }
        };
        response.closeHandler(v -> release.run());
        response.endHandler(v -> release.run());
        metrics.opened(transport);
        registry.add(session);
        session.start(positions).onComplete(started -> {
            if (started.failed()) {
                release.run();
                if (!response.headWritten()) {
                    problems.send(context, ProblemException.unavailable("Redis is unavailable; retry shortly", 1,
                            started.cause()));
                }
            }
        });
    }
}
