package dev.quiver.ingest.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the ingest HTTP API. Retention and deduplication are in {@code quiver.events} (event-contract). */
@ConfigMapping(prefix = "quiver.ingest")
public interface IngestConfig {

    /**
     * Largest body of {@code POST /v1/topics/{topic}/events}. A request that declares a larger Content-Length is
     * refused with 413 before any of its body is read.
     */
    @WithDefault("256K")
    MemorySize maxBodySize();

    /** Largest body of {@code POST /v1/events}. */
    @WithDefault("4M")
    MemorySize maxBatchBodySize();

    /** Most events in one batch. */
    @WithDefault("1000")
    int maxBatchEvents();
}
