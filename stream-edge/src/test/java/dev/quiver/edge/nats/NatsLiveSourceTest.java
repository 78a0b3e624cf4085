package dev.quiver.edge.nats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
import io.vertx.core.Vertx;

import dev.quiver.contract.config.EventsConfig;
import dev.quiver.contract.config.NatsConfig;
import dev.quiver.contract.config.PresenceConfig;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventOp;
import dev.quiver.contract.nats.NatsBroker;
import dev.quiver.contract.nats.NatsEventWriter;
import dev.quiver.contract.nats.NatsPresence;
import dev.quiver.contract.nats.NatsRetention;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.contract.redis.RetentionPolicy;
import dev.quiver.edge.broker.LiveFeed;
import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.testkit.NatsServer;

/**
 * The JetStream live reader against a real nats-server, for what the service suites cannot stage: the stream deleted
 * and created again under a running edge (its sequences start over, which an ordered consumer would skip).
 */
class NatsLiveSourceTest {

    private NatsServer server;
    private Vertx vertx;
    private NatsBroker readerBroker;
    private NatsBroker writerBroker;
    private NatsLiveSource source;

    private record Delivery(String kind, String topic, TopicPosition position, EventBatch events) {
    }

    @BeforeEach
    void start() {
        server = NatsServer.start();
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
        for (NatsBroker broker : new NatsBroker[]{readerBroker, writerBroker}) {
            if (broker != null) {
                broker.close();
            }
        }
        server.close();
    }

    @Test
    void aReplacedStreamResetsItsFollowedTopicsAndItsNewEventsFollow() throws Exception {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(EdgeConfig.class)
                .withMapping(EventsConfig.class).withMapping(NatsConfig.class).withMapping(PresenceConfig.class)
                .withDefaultValue("quiver.nats.url", server.url())
                .withDefaultValue("quiver.edge.epoch-check", "200ms")
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Duration.class, 100, new DurationConverter()).build();
        EventsConfig events = config.getConfigMapping(EventsConfig.class);
        NatsConfig nats = config.getConfigMapping(NatsConfig.class);
        readerBroker = new NatsBroker(nats, events);
        writerBroker = new NatsBroker(nats, events);
        NatsEventWriter writer = new NatsEventWriter(writerBroker, new RetentionPolicy(events),
                new NatsRetention(writerBroker));
        AppendResult first = publish(writer, "1");
        PresenceConfig presence = config.getConfigMapping(PresenceConfig.class);
        source = new NatsLiveSource(vertx, readerBroker, new NatsPresence(readerBroker, nats, presence), presence,
                config.getConfigMapping(EdgeConfig.class), new EdgeMetrics(new SimpleMeterRegistry()));
        BlockingQueue<Delivery> feed = new LinkedBlockingQueue<>();
        Context context = vertx.getOrCreateContext();
        source.start(context, recording(feed));
        awaitHealthy();
        context.runOnContext(v -> source.follow("swap"));
        Delivery followed = next(feed);
        assertThat(followed.kind()).isEqualTo("followed");
        assertThat(followed.position().epoch()).isEqualTo(first.epoch());
        publish(writer, "2");
        assertThat(next(feed).events()).hasSize(1);

        // Deleted, then created again by the next write, with sequences from 1: the first events of the new stream
        // are below what the reader has delivered.
        writerBroker.management().deleteStream(nats.stream());
        AppendResult recreated = null;
        for (int attempt = 0; recreated == null && attempt < 50; attempt++) {
            try {
                recreated = publish(writer, "3");
            } catch (RuntimeException notYet) {
                Thread.sleep(100);
            }
        }
        assertThat(recreated).isNotNull();
        assertThat(recreated.epoch()).isNotEqualTo(first.epoch());

        Delivery reset = next(feed);
        assertThat(reset.kind()).isEqualTo("replaced");
        assertThat(reset.position().epoch()).isEqualTo(recreated.epoch());
        assertThat(reset.position().id().toString()).isEqualTo(recreated.ids().get(0));
        publish(writer, "4");
        Delivery after = next(feed);
        assertThat(after.events()).as("the new stream's next event").isNotNull().hasSize(1);
        assertThat(after.events().get(0).position().epoch()).isEqualTo(recreated.epoch());
        assertThat(new String(after.events().get(0).json())).contains("\"data\":4");
    }

    private void awaitHealthy() throws InterruptedException {
        for (int i = 0; i < 100 && !source.healthy(); i++) {
            Thread.sleep(50);
        }
        Thread.sleep(200);
    }

    private static LiveFeed recording(BlockingQueue<Delivery> feed) {
        return new LiveFeed() {

            @Override
            public void onFollowed(String topic, TopicPosition position) {
                feed.add(new Delivery("followed", topic, position, null));
            }

            @Override
            public void onFollowFailed(String topic, Throwable cause) {
                feed.add(new Delivery("failed", topic, null, null));
            }

            @Override
            public void onEvents(String topic, EventBatch batch) {
                feed.add(new Delivery("events", topic, null, batch));
            }

            @Override
            public void onHistoryReplaced(String topic, TopicPosition position) {
                feed.add(new Delivery("replaced", topic, position, null));
            }
        };
    }

    private static AppendResult publish(NatsEventWriter writer, String data) {
        return writer.append("swap", List.of(new AppendRequest(new EventDraft("swap", "t", "k", EventOp.UPSERT,
                data), null))).await().atMost(Duration.ofSeconds(5));
    }

    private static Delivery next(BlockingQueue<Delivery> feed) throws InterruptedException {
        Delivery delivery = feed.poll(10, TimeUnit.SECONDS);
        assertThat(delivery).as("a delivery within 10 s").isNotNull();
        return delivery;
    }
}
