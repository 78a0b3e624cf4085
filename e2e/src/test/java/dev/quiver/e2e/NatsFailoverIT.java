package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;

import dev.quiver.testkit.NatsCluster;
import dev.quiver.testkit.NatsServer;

/**
 * All three services, packaged, on a real three-node JetStream cluster (docs/nats.md, "Failover"): the stream has
 * three replicas; its leader is killed while events are published. Ingest answers 503 with {@code Retry-After} (never
 * a 500) until a new leader is elected, a retry with the same Idempotency-Key writes once, snapshot-api then holds
 * every acknowledged event, and two clients on two edge pods, each falling over to the other, get every acknowledged
 * event exactly once and in order.
 */
class NatsFailoverIT {

    @Test
    void aJetStreamNodeFailureWhilePublishingLosesAndRepeatsNothing() throws Exception {
        try (NatsCluster cluster = NatsCluster.start(3)) {
            Map<String, String> nats = Map.of("quiver.broker", "nats", "quiver.nats.url", cluster.urls(),
                    "quiver.nats.replicas", "3", "quiver.nats.timeout", "2s",
                    // Nothing here uses Redis: a port nothing listens on.
                    "quarkus.redis.hosts", "redis://127.0.0.1:1");
            String topic = "failover.orders";
            try (ServiceProcess ingest = RedisTopologiesIT.ingest("ingest-nats", nats);
                    ServiceProcess snapshot = RedisTopologiesIT.snapshot("snapshot-nats", nats);
                    ServiceProcess edgeA = RedisTopologiesIT.edge("edge-nats-a", nats);
                    ServiceProcess edgeB = RedisTopologiesIT.edge("edge-nats-b", nats);
                    FailoverSseClient onA = new FailoverSseClient(List.of(q -> edgeA.uri("/v1/stream?" + q),
                            q -> edgeB.uri("/v1/stream?" + q)), "topic=" + topic + "&since=-");
                    FailoverSseClient onB = new FailoverSseClient(List.of(q -> edgeB.uri("/v1/stream?" + q),
                            q -> edgeA.uri("/v1/stream?" + q)), "topic=" + topic + "&since=-")) {
                List<Integer> expected = new ArrayList<>(
                        RedisTopologiesIT.publishThroughFailover(ingest, topic, 0, 5, false));
                assertThat(expected).containsExactly(0, 1, 2, 3, 4);

                NatsServer leader = leader(cluster);
                leader.kill();
                expected.addAll(RedisTopologiesIT.publishThroughFailover(ingest, topic, 100, 10, false));
                expected.addAll(RedisTopologiesIT.publishThroughFailover(ingest, topic, 200, 5, false));

                assertThat(RedisTopologiesIT.events(snapshot, topic)).containsExactlyElementsOf(expected);
                RedisTopologiesIT.assertDeliveredOnceInOrder(onA, expected, "client on the first edge");
                RedisTopologiesIT.assertDeliveredOnceInOrder(onB, expected, "client on the second edge");
            }
        }
    }

    /** The node leading the events' stream. */
    private static NatsServer leader(NatsCluster cluster) throws Exception {
        Options options = Options.builder().servers(cluster.urls().split(",")).build();
        try (Connection connection = Nats.connect(options)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                String name = connection.jetStreamManagement().getStreamInfo("QUIVER").getClusterInfo().getLeader();
                for (NatsServer node : cluster.nodes()) {
                    if (node.name().equals(name)) {
                        return node;
                    }
                }
                assertThat(System.nanoTime()).as("the stream has a leader").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }
}
