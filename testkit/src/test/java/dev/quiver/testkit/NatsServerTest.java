package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;

class NatsServerTest {

    @Test
    void jetStreamKeepsItsStreamsAcrossARestartAndAKill() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            try (Connection connection = Nats.connect(nats.url())) {
                connection.jetStreamManagement().addStream(StreamConfiguration.builder().name("T").subjects("t.>")
                        .storageType(StorageType.File).build());
                assertThat(connection.jetStream().publish("t.a", bytes("one")).getSeqno()).isEqualTo(1);
            }
            nats.restart();
            nats.kill();
            nats.restart();
            try (Connection connection = Nats.connect(nats.url())) {
                MessageInfo first = connection.jetStreamManagement().getMessage("T", 1);
                assertThat(new String(first.getData(), StandardCharsets.UTF_8)).isEqualTo("one");
                assertThat(connection.jetStream().publish("t.a", bytes("two")).getSeqno()).isEqualTo(2);
            }
        }
    }

    @Test
    void aThreeNodeClusterKeepsAReplicatedStreamWritableWithOneNodeKilled() throws Exception {
        try (NatsCluster cluster = NatsCluster.start(3);
                Connection connection = Nats.connect(Options.builder().servers(cluster.urls().split(","))
                        .maxReconnects(-1).reconnectWait(Duration.ofMillis(100)).build())) {
            retry(() -> connection.jetStreamManagement().addStream(StreamConfiguration.builder().name("R")
                    .subjects("r.>").replicas(3).storageType(StorageType.File).build()));
            JetStream js = connection.jetStream();
            assertThat(retry(() -> js.publish("r.a", bytes("before"))).getSeqno()).isEqualTo(1);
            String leader = connection.jetStreamManagement().getStreamInfo("R").getClusterInfo().getLeader();
            cluster.nodes().stream().filter(node -> node.name().equals(leader)).findFirst().orElseThrow().kill();
            PublishAck after = retry(() -> js.publish("r.a", bytes("after")));
            assertThat(after.getSeqno()).isEqualTo(2);
            assertThat(connection.jetStreamManagement().getStreamInfo("R").getClusterInfo().getLeader())
                    .isNotEqualTo(leader);
        }
    }

    /** JetStream answers "no responders" or times out while a stream's leader is being elected. */
    private static <T> T retry(ThrowingSupplier<T> call) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return call.get();
            } catch (JetStreamApiException | java.io.IOException | IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private interface ThrowingSupplier<T> {

        T get() throws Exception;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
