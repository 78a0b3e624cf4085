package dev.quiver.contract.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Whether a write is acknowledged only once Redis replicas have it (Redis {@code WAIT}). Read by every service that
 * writes events (event-ingest, and stream-edge for WebSocket publish), under ingest's prefix because it decides when
 * ingest says "accepted".
 */
@ConfigMapping(prefix = "quiver.ingest")
public interface ReplicationConfig {

    /**
     * Replicas that must have a write before it is acknowledged; 0 (the default) acknowledges once the primary ran it.
     * With asynchronous replication a failover can lose writes the primary acknowledged but had not yet sent; with
     * {@code wait-replicas} at 1 or more, an acknowledged write survives the loss of its primary (unless every replica
     * that had it is lost too), at the cost of a replica round trip per write. A write that does not reach enough
     * replicas in {@link #waitTimeout()} is answered 503: it is on the primary, and a retry with the same idempotency
     * key waits again without writing twice.
     */
    @WithDefault("0")
    int waitReplicas();

    /** How long a write waits for its replicas before the request fails with 503. */
    @WithDefault("1s")
    Duration waitTimeout();
}
