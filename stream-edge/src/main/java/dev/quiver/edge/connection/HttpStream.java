package dev.quiver.edge.connection;

import java.util.SortedMap;

import io.vertx.core.Future;

import dev.quiver.contract.cursor.TopicPosition;

/** A connection of an HTTP transport (an SSE stream, a long poll) as {@link SessionLauncher} drives it. */
public interface HttpStream extends ConnectionRegistry.Connection {

    /** Joins the hub and starts delivery from {@code positions}; fails when the topics cannot be joined. */
    Future<Void> start(SortedMap<String, TopicPosition> positions);

    /** Leaves the hub and lets go of anything held for the response; idempotent. */
    void close();
}
