package dev.quiver.edge.connection;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Context;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.security.AuthConfig;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.security.EdgeGuard;

/**
 * The one lifecycle of every client connection, whatever its transport (SSE, long poll, WebSocket): admission against
 * the pod's and the client's limits, registration for heartbeats and drain, the credential's expiry timer, metrics,
 * and a release that happens exactly once however the connection ends.
 */
@ApplicationScoped
public class ConnectionLifecycle {

    private final ConnectionRegistry registry;
    private final EdgeMetrics metrics;
    private final AuthConfig auth;

    public ConnectionLifecycle(ConnectionRegistry registry, EdgeMetrics metrics, AuthConfig auth) {
        this.registry = registry;
        this.metrics = metrics;
        this.auth = auth;
    }

    /** The identity per-client connection limits count: the token's subject, else the IP address. */
    public static String identity(Principal principal, String ip) {
        String key = principal.limitKey();
        return key != null ? key : "ip:" + EdgeGuard.addressKey(ip);
    }

    /**
     * Admits a client, counting it against the limits until its lease is released.
     *
     * @throws ProblemException {@code too-many-connections} or {@code pod-unavailable} (full or draining)
     */
    public Lease admit(EdgeMetrics.Transport transport, Principal principal, String ip) {
        String client = identity(principal, ip);
        registry.admit(client);
        return new Lease(transport, principal, client);
    }

    /** Whether the pod is draining (a refused admission then means "go to another pod"). */
    public boolean draining() {
        return registry.draining();
    }

    /** One admitted connection's hold on the pod. Used on the connection's context only. */
    public final class Lease {

        private final EdgeMetrics.Transport transport;
        private final Principal principal;
        private final String client;
        private ConnectionRegistry.Connection connection;
        private long opened;
        private long expiry = -1;
        private boolean released;

        private Lease(EdgeMetrics.Transport transport, Principal principal, String client) {
            this.transport = transport;
            this.principal = principal;
            this.client = client;
        }

        /**
         * The connection is open: it gets heartbeats and drain, and is told to re-authenticate once its credential
         * expired and the grace passed.
         */
        public void open(ConnectionRegistry.Connection opened) {
            this.connection = opened;
            this.opened = System.nanoTime();
            metrics.opened(transport);
            registry.add(opened);
            if (principal.expiresAt() != null) {
                long delay = Math.max(1, principal.expiresAt().plus(auth.expiryGrace()).toEpochMilli()
                        - System.currentTimeMillis());
                Context context = opened.context();
                expiry = context.owner().setTimer(delay, timer -> context.runOnContext(v -> {
                    metrics.expired();
                    opened.expire();
                }));
            }
        }

        /** Gives the connection's place back; the first call counts, later ones do nothing. */
        public void release() {
            if (released) {
                return;
            }
            released = true;
            if (connection == null) {
                registry.release(client);
                return;
            }
            if (expiry >= 0) {
                connection.context().owner().cancelTimer(expiry);
            }
            registry.remove(connection);
            registry.release(client);
            metrics.closed(transport, opened);
        }
    }
}
