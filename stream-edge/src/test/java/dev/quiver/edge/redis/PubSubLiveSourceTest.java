package dev.quiver.edge.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;

import dev.quiver.contract.config.EventsConfig;
import dev.quiver.contract.config.ReplicationConfig;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventOp;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.EventWriter;
import dev.quiver.contract.redis.RetentionPolicy;
import dev.quiver.edge.broker.LiveFeed;
import dev.quiver.edge.broker.SharedHistory;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.testkit.RedisServer;

/**
 * The Pub/Sub reader's reconnection, against a real Redis, where timing alone decides too rarely to test: a node
 * connect that fails before {@code connect()} returns (the Redis client answered from what it already knew).
 */
class PubSubLiveSourceTest {

    private RedisServer server;
    private Vertx vertx;
    private Redis shared;
    private Redis reader;
    private PubSubLiveSource source;

    /** The real node, but the next {@link #failAtOnce} connects fail before they return. */
    private static final class FlakyNode implements SubscriberNodes {

        final SingleNode node;
        final AtomicInteger failAtOnce = new AtomicInteger();

        FlakyNode(Redis reader) {
            this.node = new SingleNode(reader);
        }

        @Override
        public String nodeFor(String channel) {
            return node.nodeFor(channel);
        }

        @Override
        public Future<Void> refresh() {
            return node.refresh();
        }

        @Override
        public Future<RedisConnection> connect(String name) {
            if (failAtOnce.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return Future.failedFuture(new java.net.ConnectException("Connection refused"));
            }
            return node.connect(name);
        }

        @Override
        public void close() {
            node.close();
        }
    }

    private record Delivery(String topic, TopicPosition followed, EventBatch events) {
    }

    @BeforeEach
    void start() {
        server = RedisServer.start();
        vertx = Vertx.vertx();
        shared = Redis.createClient(vertx, server.uri());
        reader = Redis.createClient(vertx, server.uri());
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
        server.close();
    }

    @Test
    void aTopicSurvivesReconnectsThatFailAtOnce() throws Exception {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(EdgeConfig.class)
                .withMapping(EventsConfig.class).withMapping(ReplicationConfig.class)
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Duration.class, 100, new DurationConverter()).build();
        EdgeConfig edge = config.getConfigMapping(EdgeConfig.class);
        EdgeMetrics metrics = new EdgeMetrics(new SimpleMeterRegistry());
        io.vertx.mutiny.redis.client.Redis mutiny = io.vertx.mutiny.redis.client.Redis.newInstance(shared);
        EventsConfig events = config.getConfigMapping(EventsConfig.class);
        EventWriter writer = new EventWriter(mutiny, new RetentionPolicy(events), events,
                config.getConfigMapping(ReplicationConfig.class));
        FlakyNode nodes = new FlakyNode(reader);
        source = new PubSubLiveSource(vertx, shared, nodes, true,
                new SharedHistory(new RedisHistory(shared, mutiny, metrics)), edge, metrics);
        BlockingQueue<Delivery> feed = new LinkedBlockingQueue<>();
        Context context = vertx.getOrCreateContext();
        source.start(context, new LiveFeed() {

            @Override
            public void onFollowed(String topic, TopicPosition position) {
                feed.add(new Delivery(topic, position, null));
            }

            @Override
            public void onFollowFailed(String topic, Throwable cause) {
                feed.add(new Delivery(topic, null, null));
            }

            @Override
            public void onEvents(String topic, EventBatch batch) {
                feed.add(new Delivery(topic, null, batch));
            }

            @Override
            public void onHistoryReplaced(String topic, TopicPosition position) {
                feed.add(new Delivery(topic, position, null));
            }
        });
        context.runOnContext(v -> source.follow("flaky"));
        assertThat(next(feed).followed()).isNotNull();
        publish(writer, "1");
        assertThat(next(feed).events()).hasSize(1);

        // The reader's connection drops; the next two connects fail before they return, the third works.
        nodes.failAtOnce.set(2);
        server.call("CLIENT", "KILL", "TYPE", "pubsub");
        Thread.sleep(200);
        publish(writer, "2");
        Delivery delivered = next(feed);
        assertThat(delivered.events()).as("the event published after the reconnects").isNotNull().hasSize(1);
        assertThat(new String(delivered.events().get(0).json())).contains("\"data\":2");
        assertThat(nodes.failAtOnce.get()).isZero();
    }

    private static void publish(EventWriter writer, String data) {
        writer.append("flaky", List.of(new AppendRequest(new EventDraft("flaky", "t", "k", EventOp.UPSERT, data),
                null))).await().atMost(Duration.ofSeconds(5));
    }

    private static Delivery next(BlockingQueue<Delivery> feed) throws InterruptedException {
        Delivery delivery = feed.poll(10, TimeUnit.SECONDS);
        assertThat(delivery).as("a delivery within 10 s").isNotNull();
        return delivery;
    }
}
