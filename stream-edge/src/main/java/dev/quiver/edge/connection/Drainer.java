package dev.quiver.edge.connection;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;

import dev.quiver.edge.config.EdgeConfig;

/**
 * Drain on shutdown. Quarkus starts its shutdown delay ({@code quarkus.shutdown.delay}, set to the drain window) on
 * SIGTERM and reports not-ready through it; during that window this stops admitting connections and tells the
 * existing ones to reconnect elsewhere, spread evenly, so that the other pods take them over gradually instead of
 * all at once.
 */
@ApplicationScoped
public class Drainer {

    private static final Logger LOG = Logger.getLogger(Drainer.class);
    private static final long TICK_MILLIS = 100;

    private final ConnectionRegistry registry;
    private final EdgeConfig config;
    private final Vertx vertx;

    public Drainer(ConnectionRegistry registry, EdgeConfig config, Vertx vertx) {
        this.registry = registry;
        this.config = config;
        this.vertx = vertx;
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        drain();
    }

    /** Starts draining; returns at once. Connections are told over 80% of the window, leaving slack before exit. */
    public void drain() {
        List<ConnectionRegistry.Connection> connections = registry.startDraining();
        long window = Math.max(TICK_MILLIS, config.drainWindow().toMillis() * 8 / 10);
        long ticks = Math.max(1, window / TICK_MILLIS);
        int perTick = (int) Math.max(1, (connections.size() + ticks - 1) / ticks);
        LOG.infof("Draining %d connections over %d ms", connections.size(), window);
        if (connections.isEmpty()) {
            return;
        }
        int[] next = {0};
        vertx.setPeriodic(TICK_MILLIS, timer -> {
            int end = Math.min(connections.size(), next[0] + perTick);
            for (int i = next[0]; i < end; i++) {
                ConnectionRegistry.Connection connection = connections.get(i);
                connection.context().runOnContext(v -> connection.drain());
            }
            next[0] = end;
            if (end >= connections.size()) {
                vertx.cancelTimer(timer);
            }
        });
    }
}
