package dev.quiver.edge.redis;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.redis.client.RedisClientName;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.broker.LiveSource;
import dev.quiver.edge.broker.SharedHistory;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * The pod's broker on Redis: its history reads, shared between requests that ask the same thing at once, and its live
 * reader, the one {@code quiver.edge.live-source} names, for the reader client's topology.
 */
@ApplicationScoped
public class RedisBroker {

    /** The live reader's own Redis client, configured by {@code quarkus.redis.reader.*}. */
    private static final String READER = "reader";

    private final Vertx vertx;
    private final Redis shared;
    private final Instance<Redis> clients;
    private final RedisHistory redisHistory;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final String clientType;
    private final List<URI> hosts;
    private final Optional<String> password;

    public RedisBroker(Vertx vertx, Redis shared, @Any Instance<Redis> clients, RedisHistory redisHistory,
            EdgeConfig config, EdgeMetrics metrics,
            @ConfigProperty(name = "quarkus.redis.reader.client-type", defaultValue = "standalone") String clientType,
            @ConfigProperty(name = "quarkus.redis.reader.hosts") List<URI> hosts,
            @ConfigProperty(name = "quarkus.redis.reader.password") Optional<String> password) {
        this.vertx = vertx;
        this.shared = shared;
        this.clients = clients;
        this.redisHistory = redisHistory;
        this.config = config;
        this.metrics = metrics;
        this.clientType = clientType;
        this.hosts = hosts;
        this.password = password;
    }

    /** The history reads, shared between requests that ask the same thing at once. */
    public HistorySource history() {
        return new SharedHistory(redisHistory);
    }

    /** The live reader {@code quiver.edge.live-source} names, for the reader client's topology. */
    public LiveSource liveSource(HistorySource history) {
        // Looked up, not injected with @RedisClientName: Quarkus 3.33 counts that annotation as a data source request
        // too, builds the named client twice and logs "Gauge already registered" for its pool at every start. The
        // client itself still comes from the quarkus.redis.reader.* configuration.
        Redis reader = clients.select(RedisClientName.Literal.of(READER)).get();
        boolean cluster = "cluster".equalsIgnoreCase(clientType);
        if (config.liveSource() == EdgeConfig.LiveSourceKind.XREAD) {
            if (cluster) {
                throw new IllegalStateException("quiver.edge.live-source=xread cannot read a Redis Cluster (one XREAD"
                        + " over topics of many slots is refused there); use quiver.edge.live-source=pubsub");
            }
            return new RedisLiveSource(vertx, shared, reader, config, metrics);
        }
        SubscriberNodes nodes = cluster
                ? new ClusterNodes(vertx, shared, hosts.get(0), password)
                : new SingleNode(reader);
        return new PubSubLiveSource(vertx, shared, nodes, !cluster, history, config, metrics);
    }
}
