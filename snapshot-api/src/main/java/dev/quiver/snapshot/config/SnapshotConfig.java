package dev.quiver.snapshot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Page sizes of the snapshot API (docs/snapshot.md). */
@ConfigMapping(prefix = "quiver.snapshot")
public interface SnapshotConfig {

    /** Entities per snapshot page when the request names no {@code limit}. */
    @WithDefault("500")
    int defaultLimit();

    /** Largest snapshot page: bounds every Redis reply, whatever the topic's size. */
    @WithDefault("5000")
    int maxLimit();

    /** Events per history page when the request names no {@code limit}. */
    @WithDefault("100")
    int defaultEventsLimit();

    /** Largest history page. */
    @WithDefault("1000")
    int maxEventsLimit();
}
