package dev.quiver.edge.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisConnection;

/**
 * Where the Pub/Sub live reader's subscriptions go: the one primary of a standalone or Sentinel-managed Redis, or, on a
 * Redis Cluster, the primary that owns each channel's slot. One connection per node carries every subscription the pod
 * has there.
 */
interface SubscriberNodes {

    /** The node that serves {@code channel}, or {@code null} while that is unknown ({@link #refresh} first). */
    String nodeFor(String channel);

    /** Reads the topology again (on a cluster, which primary owns which slot); a single node has nothing to read. */
    Future<Void> refresh();

    /** Opens a connection to {@code node}, to be used for subscriptions only. */
    Future<RedisConnection> connect(String node);

    /** Releases clients this created. */
    void close();
}
