package dev.quiver.edge.connection;

import java.util.SortedMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.RouteProblems;
import dev.quiver.contract.security.AuthConfig;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.fanout.Session;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.security.EdgeGuard;

/**
 * What every transport does around a session: admission against the limits, registration for heartbeats and drain,
 * metrics, and exactly-once cleanup however the connection ends.
 */
@ApplicationScoped
public class SessionLauncher {

    private final ConnectionRegistry registry;
    private final EdgeMetrics metrics;
    private final RouteProblems problems;
    private final AuthConfig auth;

    public SessionLauncher(ConnectionRegistry registry, EdgeMetrics metrics, RouteProblems problems, AuthConfig auth) {
        this.registry = registry;
        this.metrics = metrics;
        this.problems = problems;
        this.auth = auth;
    }

    /** The identity per-client connection limits count: the token's subject, else the IP address. */
    public static String identity(Principal principal, String ip) {
        String key = principal.limitKey();
        return key != null ? key : "ip:" + EdgeGuard.addressKey(ip);
    }

    /**
     * Arranges for {@code connection} to be told to re-authenticate once {@code principal}'s credential expired and the
     * grace passed; returns the timer to cancel when the connection ends first, or -1 when nothing expires.
     */
    public long scheduleExpiry(Principal principal, ConnectionRegistry.Connection connection) {
        if (principal.expiresAt() == null) {
            return -1;
        }
        long delay = Math.max(1, principal.expiresAt().plus(auth.expiryGrace()).toEpochMilli()
                - System.currentTimeMillis());
        Context context = connection.context();
        return context.owner().setTimer(delay, timer -> context.runOnContext(v -> {
            metrics.expired();
            connection.expire();
        }));
    }

    /**
     * Admits the client of {@code context} (or answers the problem that refuses it), then creates and starts its
     * session from {@code positions}. A session that cannot join (Redis down) is answered 503 if nothing was sent.
     */
    public <S extends Session & ConnectionRegistry.Connection> void launch(RoutingContext context,
            EdgeMetrics.Transport transport, Principal principal, SortedMap<String, TopicPosition> positions,
            Supplier<S> factory) {
        String client = identity(principal, EdgeGuard.ip(context.request()));
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
        long[] expiry = {-1};
        Runnable release = () -> {
            if (!released[0]) {
                released[0] = true;
                if (expiry[0] >= 0) {
                    context.vertx().cancelTimer(expiry[0]);
                }
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
        expiry[0] = scheduleExpiry(principal, session);
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
