package dev.quiver.edge.redis;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

import dev.quiver.contract.redis.KeySlot;

/**
 * The primaries of a Redis Cluster: a channel's node is the one that owns its slot in the last {@code CLUSTER SLOTS}
 * read (through the shared cluster client, which follows redirections by itself). Each node gets a plain client of its
 * own, with the scheme and credentials of the configured seed address, because a sharded subscription must be made on
 * the very node that owns the slot.
 */
final class ClusterNodes implements SubscriberNodes {

    private final Vertx vertx;
    private final Redis cluster;
    private final URI seed;
    private final Optional<String> password;
    private final Map<String, Redis> clients = new HashMap<>();
    private SlotTable slots;

    /**
     * @param cluster a cluster client, for reading the slot table
     * @param seed one configured node address, e.g. {@code redis://:secret@redis-0:6379}; its scheme and user info are
     *        used for every node
     * @param password the client's password when it is configured apart from the address
     */
    ClusterNodes(Vertx vertx, Redis cluster, URI seed, Optional<String> password) {
        this.vertx = vertx;
        this.cluster = cluster;
        this.seed = seed;
        this.password = password;
    }

    @Override
    public String nodeFor(String channel) {
        return slots == null ? null : slots.ownerOf(KeySlot.of(channel));
    }

    @Override
    public Future<Void> refresh() {
        return cluster.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).map(reply -> {
            slots = SlotTable.parse(reply, seed.getHost());
            return null;
        });
    }

    @Override
    public Future<RedisConnection> connect(String node) {
        return clients.computeIfAbsent(node, this::client).connect();
    }

    private Redis client(String node) {
        String userInfo = seed.getRawUserInfo() == null ? "" : seed.getRawUserInfo() + "@";
        RedisOptions options = new RedisOptions()
                .setConnectionString(seed.getScheme() + "://" + userInfo + node)
                .setMaxPoolSize(1)
                .setMaxPoolWaiting(16)
                // Metrics per node, named after the reader (Quarkus' binder reads "<prefix>|<client>"): each client
                // has its own TCP client, and two under one name would collide in Micrometer.
                .setPoolName("reader@" + node);
        options.getNetClientOptions().setMetricsName("redis|reader@" + node);
        password.ifPresent(options::setPassword);
        return Redis.createClient(vertx, options);
    }

    @Override
    public void close() {
        clients.values().forEach(Redis::close);
        clients.clear();
    }
}
