package dev.quiver.edge.connection;

import java.util.SortedMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.RouteProblems;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.security.EdgeGuard;

/**
 * The HTTP transports' (SSE, long poll) side of the connection lifecycle: admission answered as a problem, the lease
 * released when the response ends or the connection closes, and a session that cannot join (Redis down) answered 503
 * when nothing was sent yet.
 */
@ApplicationScoped
public class SessionLauncher {

    private final ConnectionLifecycle lifecycle;
    private final RouteProblems problems;

    public SessionLauncher(ConnectionLifecycle lifecycle, RouteProblems problems) {
        this.lifecycle = lifecycle;
        this.problems = problems;
    }

    /**
     * Admits the client of {@code context} (or answers the problem that refuses it), then creates and starts its
     * session from {@code positions}.
     *
     * @param factory creates the stream, once admitted
     */
    public void launch(RoutingContext context, EdgeMetrics.Transport transport, Principal principal,
            SortedMap<String, TopicPosition> positions, Supplier<HttpStream> factory) {
        ConnectionLifecycle.Lease lease;
        try {
            lease = lifecycle.admit(transport, principal, EdgeGuard.ip(context.request()));
        } catch (ProblemException e) {
            problems.send(context, e);
            return;
        }
        HttpServerResponse response = context.response();
        HttpStream stream = factory.get();
        Runnable release = () -> {
            stream.close();
            lease.release();
        };
        response.closeHandler(v -> release.run());
        response.endHandler(v -> release.run());
        lease.open(stream);
        stream.start(positions).onComplete(started -> {
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
