package dev.quiver.edge.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;

/**
 * One Redis primary, reached through the reader client: standalone, or the primary a Sentinel group names at the time
 * of each connect, so that a reconnect after a failover lands on the new primary.
 */
final class SingleNode implements SubscriberNodes {

    static final String NODE = "primary";

    private final Redis reader;

    SingleNode(Redis reader) {
        this.reader = reader;
    }

    @Override
    public String nodeFor(String channel) {
        return NODE;
    }

    @Override
    public Future<Void> refresh() {
        return Future.succeededFuture();
    }

    @Override
    public Future<RedisConnection> connect(String node) {
        return reader.connect();
    }

    @Override
    public void close() {
        // The reader client belongs to Quarkus.
    }
}
