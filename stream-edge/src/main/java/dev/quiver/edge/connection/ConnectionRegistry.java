package dev.quiver.edge.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * Every client connection of the pod: admission against the limits, the one shared heartbeat timer, and the list a
 * drain works through. Nothing here runs per event.
 */
@ApplicationScoped
public class ConnectionRegistry {

    /** What the registry needs from a connection. Methods are called on the connection's own context. */
    public interface Connection {

        Context context();

        /** Keeps an idle stream alive through proxies. */
        void heartbeat();

        /** Tells the client to reconnect to another pod, then closes. */
        void drain();

        /** The client's token expired (past the grace): tells it to come back with a fresh one, then closes. */
        void expire();
    }

    private final EdgeConfig config;
    private final Vertx vertx;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private volatile boolean draining;

    public ConnectionRegistry(EdgeConfig config, Vertx vertx, EdgeMetrics metrics) {
        this.config = config;
        this.vertx = vertx;
        metrics.maxConnectionsGauge(config.maxConnections());
    }

    void startHeartbeat(@Observes StartupEvent startup) {
        vertx.setPeriodic(config.heartbeat().toMillis(), timer -> {
            for (Connection connection : connections) {
                connection.context().runOnContext(v -> connection.heartbeat());
            }
        });
    }

    /**
     * Admits a new connection of {@code client} (a token subject or an IP address), or throws the problem that refuses it: 503 while draining or at the
     * pod limit (another pod can take it), 429 at the per-client limit.
     */
    public void admit(String client) {
        if (draining) {
            throw ProblemException.unavailable("This pod is shutting down; connect to another one", 1, null)
                    .retype(ProblemType.POD_UNAVAILABLE);
        }
        if (total.incrementAndGet() > config.maxConnections()) {
            total.decrementAndGet();
            throw ProblemException.unavailable("This pod holds its maximum of " + config.maxConnections()
                    + " connections; connect to another one", 1, null).retype(ProblemType.POD_UNAVAILABLE);
        }
        // Check and count in one atomic step per client, so that a concurrent release cannot orphan the counter.
        boolean[] admitted = {false};
        perClient.compute(client, (c, count) -> {
            int current = count == null ? 0 : count.get();
            if (current >= config.maxConnectionsPerClient()) {
                return count;
            }
            admitted[0] = true;
            AtomicInteger next = count == null ? new AtomicInteger() : count;
            next.incrementAndGet();
            return next;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            throw new ProblemException(ProblemType.TOO_MANY_CONNECTIONS,
                    "At most " + config.maxConnectionsPerClient() + " connections per client").retryAfter(5);
        }
    }

    /** Undoes {@link #admit(String)}. */
    public void release(String client) {
        total.decrementAndGet();
        perClient.computeIfPresent(client, (c, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    public void add(Connection connection) {
        connections.add(connection);
    }

    public void remove(Connection connection) {
        connections.remove(connection);
    }

    public boolean draining() {
        return draining;
    }

    /** Stops admitting and returns the connections to tell, in no particular order. */
    public List<Connection> startDraining() {
        draining = true;
        return new ArrayList<>(connections);
    }

    public int size() {
        return total.get();
    }
}
