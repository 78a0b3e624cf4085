package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The live reader through Redis blips, restarts and lost histories, run with each reader: {@code pubsub}
 * ({@link ReaderResilienceTest}), {@code xread} ({@link XreadReaderResilienceTest}), and Pub/Sub on a Redis without
 * sharding ({@link PlainPubSubReaderResilienceTest}).
 */
abstract class ReaderResilience extends EdgeTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static int data(SseClient.Frame frame) {
        try {
            return JSON.readTree(frame.data()).get("data").asInt();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Kills the live reader's connections (subscribed to live channels, or blocked in XREAD), as a blip would. */
    void killReaderConnection() {
        String clients = (String) redis.call("CLIENT", "LIST");
        for (String line : clients.split("\n")) {
            if (line.contains("cmd=xread") || line.matches(".* s?sub=[1-9].*")) {
                String id = line.substring(3, line.indexOf(' '));
                redis.call("CLIENT", "KILL", "ID", id);
            }
        }
    }

    @Test
    void aRedisBlipCostsDelayNotEvents() throws InterruptedException {
        String topic = freshTopic("blip");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            publishMany(topic, 0, 10);
            assertThat(client.take(10, WAIT)).hasSize(10);
            for (int round = 0; round < 3; round++) {
                killReaderConnection();
                publishMany(topic, 10 + round * 10, 10);
                Thread.sleep(50);
            }
            List<Integer> got = new ArrayList<>();
            client.take(30, Duration.ofSeconds(30)).forEach(f -> got.add(data(f)));
            List<Integer> expected = new ArrayList<>();
            for (int i = 10; i < 40; i++) {
                expected.add(i);
            }
            assertThat(got).isEqualTo(expected);
            assertThat(client.drain(Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void redisLossMeansNotReadyThenAResetForTheNewHistory() {
        String topic = freshTopic("loss");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            publish(topic, "1");
            assertThat(client.take(1, WAIT)).hasSize(1);
            redis.stop();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));
            } finally {
                redis.restart();
            }
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
            // The restarted Redis is empty: the topic's next event starts a new history (a new epoch).
            publish(topic, "2");
            SseClient.Frame reset = client.next(Duration.ofSeconds(20));
            assertThat(reset.event()).isEqualTo("reset");
            assertThat(reset.data()).contains("\"reason\":\"unknown\"");
            // After the reset the stream continues with the new history.
            publish(topic, "3");
            List<Integer> after = new ArrayList<>();
            for (SseClient.Frame frame : client.take(1, WAIT)) {
                after.add(data(frame));
            }
            assertThat(after.get(after.size() - 1)).isIn(2, 3);
        }
    }

    @Test
    void historyLostWithoutADisconnectStillResetsSubscribers() {
        String topic = freshTopic("flushed");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            publish(topic, "1");
            assertThat(client.take(1, WAIT)).hasSize(1);
            // An operator wipes the topic's keys; the reader's connection stays up.
            redis.call("DEL", "{q:t:" + topic + "}:events", "{q:t:" + topic + "}:meta", "{q:t:" + topic + "}:state",
                    "{q:t:" + topic + "}:keys");
            SseClient.Frame reset = client.next(Duration.ofSeconds(10));
            assertThat(reset.event()).isEqualTo("reset");
            assertThat(reset.data()).contains("\"reason\":\"unknown\"");
            publish(topic, "2");
            assertThat(data(client.next(WAIT))).isEqualTo(2);
        }
    }
}
