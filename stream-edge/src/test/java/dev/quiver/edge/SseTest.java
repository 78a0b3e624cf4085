package dev.quiver.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.contract.cursor.CompositeCursor;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.nats.NatsLayout;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class SseTest extends EdgeTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(SseClient.Frame frame) {
        try {
            return JSON.readTree(frame.data());
        } catch (Exception e) {
            throw new AssertionError(frame.data(), e);
        }
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void liveEventsArriveAsPlainMessagesWithResumableIds() {
        String topic = freshTopic("live");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.headers().firstValue("content-type"))
                    .hasValueSatisfying(v -> v.startsWith("text/event-stream"));
            assertThat(client.headers().firstValue("cache-control")).hasValue("no-cache");
            assertThat(client.headers().firstValue("x-accel-buffering")).hasValue("no");
            assertThat(client.headers().firstValue("content-encoding")).isEmpty();
            List<String> ids = publishMany(topic, 0, 3);
            List<SseClient.Frame> frames = client.take(3, WAIT);
            for (int i = 0; i < 3; i++) {
                SseClient.Frame frame = frames.get(i);
                assertThat(frame.event()).isNull();
                JsonNode event = json(frame);
                assertThat(event.get("topic").asText()).isEqualTo(topic);
                assertThat(event.get("id").asText()).isEqualTo(ids.get(i));
                assertThat(event.get("type").asText()).isEqualTo("test");
                assertThat(event.get("data").asInt()).isEqualTo(i);
                if (nats == null) {
                    // On Redis the time is the id's millisecond part.
                    assertThat(event.get("time").asText()).isEqualTo(StreamId.parse(ids.get(i)).time());
                } else {
                    assertThat(java.time.Instant.parse(event.get("time").asText()))
                            .isBetween(java.time.Instant.now().minusSeconds(60), java.time.Instant.now());
                }
                assertThat(frame.id()).isEqualTo(CompositeCursor.single(topic,
                        new TopicPosition(epoch(topic), StreamId.parse(ids.get(i)))));
            }
            assertThat(client.lines).anyMatch(line -> line.matches("retry: \\d+"));
        }
    }

    @Test
    void eventsReadTogetherGoOutAsOneWriteWithAResumableIdEach() {
        String topic = freshTopic("batch");
        String other = freshTopic("batch-other");
        List<String> frameIds = new ArrayList<>();
        try (RawHttp raw = RawHttp.get(root, "/v1/stream?topic=" + topic, "127.0.0.1", 0);
                SseClient multi = SseClient.open(stream("topic=" + topic + "&topic=" + other))) {
            assertThat(raw.status()).isEqualTo(200);
            // The retry hint is written once the hub has the session: from then on it gets every new event.
            raw.readUntil("retry: ");
            raw.readUntil("\n\n\r\n");
            List<String> ids = publishBurst(topic, 30);

            // A single-topic connection: events that arrive together leave in ONE chunk, still one frame (id, data)
            // per event, never a frame split over chunks. The append script publishes the batch in one go; the live
            // reader gets it in a few socket reads, so a few chunks carry all 30. Heartbeat chunks (":" every second
            // in tests) may come between.
            List<Integer> data = new ArrayList<>();
            int chunks = 0;
            while (data.size() < 30) {
                String size = raw.readUntil("\r\n").trim();
                String chunk = raw.read(Integer.parseInt(size, 16));
                raw.readUntil("\r\n");
                if (!chunk.contains("id: ")) {
                    continue;
                }
                chunks++;
                assertThat(chunk).endsWith("\n\n");
                for (String frame : chunk.split("\n\n")) {
                    String[] lines = frame.split("\n");
                    assertThat(lines).hasSize(2);
                    assertThat(lines[0]).startsWith("id: ");
                    frameIds.add(lines[0].substring(4));
                    data.add(json(new SseClient.Frame(null, null, lines[1].substring(6), 0)).get("data").asInt());
                }
            }
            assertThat(chunks).as("chunks for 30 events published together").isLessThanOrEqualTo(10);
            assertThat(data).hasSize(30).isSorted().doesNotHaveDuplicates();
            assertThat(frameIds.get(29)).isEqualTo(CompositeCursor.single(topic,
                    new TopicPosition(epoch(topic), StreamId.parse(ids.get(29)))));

            // A connection on two topics takes the per-event path: the same events, its own cursors.
            assertThat(multi.take(30, WAIT)).extracting(f -> json(f).get("data").asInt()).isEqualTo(data);
        }
        // Every id inside the batch resumes exactly after its own event.
        try (SseClient resumed = SseClient.open(stream("topic=" + topic), Map.of("Last-Event-ID", frameIds.get(9)))) {
            assertThat(resumed.take(20, WAIT)).extracting(f -> json(f).get("data").asInt())
                    .containsExactlyElementsOf(IntStream.range(10, 30).boxed().toList());
        }
    }

    @Test
    void lastEventIdResumesExactlyAfterThatEventAlsoAsQueryParameter() {
        String topic = freshTopic("resume");
        String last;
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            publishMany(topic, 0, 5);
            last = client.take(5, WAIT).get(2).id();
        }
        publishMany(topic, 5, 2);
        try (SseClient resumed = SseClient.open(stream("topic=" + topic), Map.of("Last-Event-ID", last))) {
            assertThat(resumed.take(4, WAIT)).extracting(f -> json(f).get("data").asInt()).containsExactly(3, 4, 5, 6);
            assertThat(resumed.drain(Duration.ofMillis(300))).isEmpty();
        }
        try (SseClient resumed = SseClient.open(stream("topic=" + topic + "&lastEventId=" + enc(last)))) {
            assertThat(resumed.take(4, WAIT)).extracting(f -> json(f).get("data").asInt()).containsExactly(3, 4, 5, 6);
        }
    }

    @Test
    void sinceTakesSnapshotCursorsPerTopic() {
        String a = freshTopic("since-a");
        String b = freshTopic("since-b");
        List<String> idsA = publishMany(a, 0, 3);
        List<String> idsB = publishMany(b, 10, 3);
        String cursorA = epoch(a) + ":" + idsA.get(0);
        String cursorB = epoch(b) + ":" + idsB.get(1);
        try (SseClient single = SseClient.open(stream("topic=" + a + "&since=" + enc(cursorA)))) {
            assertThat(single.take(2, WAIT)).extracting(f -> json(f).get("data").asInt()).containsExactly(1, 2);
        }
        try (SseClient both = SseClient.open(stream("topic=" + a + "&topic=" + b + "&since=" + enc(a + "@" + cursorA)
                + "&since=" + enc(b + "@" + cursorB)))) {
            List<Integer> data = both.take(3, WAIT).stream().map(f -> json(f).get("data").asInt()).toList();
            assertThat(data).containsExactlyInAnyOrder(1, 2, 12);
            assertThat(both.drain(Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void multiTopicIdResumesEveryTopicOnReconnect() {
        String a = freshTopic("multi-a");
        String b = freshTopic("multi-b");
        String last;
        try (SseClient client = SseClient.open(stream("topic=" + a + "&topic=" + b))) {
            publish(a, "1");
            publish(b, "2");
            publish(a, "3");
            last = client.take(3, WAIT).get(2).id();
        }
        publish(b, "4");
        publish(a, "5");
        try (SseClient resumed = SseClient.open(stream("topic=" + b + "&topic=" + a), Map.of("Last-Event-ID", last))) {
            List<Integer> data = resumed.take(2, WAIT).stream().map(f -> json(f).get("data").asInt()).toList();
            assertThat(data).containsExactlyInAnyOrder(4, 5);
            assertThat(resumed.drain(Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void replaySeamHasNoGapAndNoDuplicateWhilePublishing() throws Exception {
        String topic = freshTopic("seam");
        String first = publish(topic, "0");
        String cursor = epoch(topic) + ":" + first;
        CompletableFuture<List<String>> publisher = CompletableFuture.supplyAsync(() -> publishMany(topic, 1, 999));
        try (SseClient client = SseClient.open(stream("topic=" + topic + "&since=" + enc(cursor)))) {
            List<SseClient.Frame> frames = client.take(999, Duration.ofSeconds(60));
            publisher.get();
            List<Integer> data = new ArrayList<>();
            frames.forEach(f -> data.add(json(f).get("data").asInt()));
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i < 1000; i++) {
                expected.add(i);
            }
            assertThat(data).isEqualTo(expected);
            assertThat(client.drain(Duration.ofMillis(500))).isEmpty();
        }
    }

    @Test
    void cursorOlderThanRetentionGetsResetThenLive() {
        String topic = freshTopic("tiny");
        String first = publish(topic, "0");
        publishMany(topic, 1, 300);
        String cursor = epoch(topic) + ":" + first;
        try (SseClient client = SseClient.open(stream("topic=" + topic + "&since=" + enc(cursor)))) {
            SseClient.Frame reset = client.next(WAIT);
            assertThat(reset.event()).isEqualTo("reset");
            JsonNode body = json(reset);
            assertThat(body.get("topic").asText()).isEqualTo(topic);
            assertThat(body.get("reason").asText()).isEqualTo("expired");
            assertThat(body.get("snapshot").asText()).isEqualTo("/v1/topics/" + topic + "/snapshot");
            assertThat(reset.id()).isNotNull();
            publish(topic, "\"live\"");
            SseClient.Frame live = client.next(WAIT);
            assertThat(live.event()).isNull();
            assertThat(json(live).get("data").asText()).isEqualTo("live");
        }
    }

    @Test
    void cursorFromAnotherHistoryGetsResetUnknown() {
        String topic = freshTopic("epoch");
        String id = publish(topic, "0");
        try (SseClient client = SseClient.open(stream("topic=" + topic + "&since=" + enc("aaaaaaaa:" + id)))) {
            SseClient.Frame reset = client.next(WAIT);
            assertThat(reset.event()).isEqualTo("reset");
            assertThat(json(reset).get("reason").asText()).isEqualTo("unknown");
        }
        // A cursor from the future of this history is not honoured either.
        try (SseClient client = SseClient.open(stream("topic=" + topic + "&since="
                + enc(epoch(topic) + ":" + (StreamId.parse(id).millis() + 100000) + "-0")))) {
            assertThat(json(client.next(WAIT)).get("reason").asText()).isEqualTo("unknown");
        }
    }

    @Test
    void hostileContentNeverBreaksTheFraming() throws Exception {
        String topic = freshTopic("hostile");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            // Written straight into the broker, past every validation a writer would apply.
            String evilType = redis != null ? "evil\r\nevent: reset\r\ndata: x" : "evil event: reset data: x";
            if (redis != null) {
                String stream = "{q:t:" + topic + "}:events";
                redis.call("HSET", "{q:t:" + topic + "}:meta", "epoch", "hhhhhhhh");
                String first = (String) redis.call("XADD", stream, "*", "type", evilType, "key", "k\ny\rz", "op",
                        "up\nsert", "data", "{\"a\":\r\n1,\n\"b\":\"line\\nbreak\"}");
                String last = (String) redis.call("XADD", stream, "*", "type", "t", "data", "not json\nat all");
                // Only the append script announces entries on the live channel; a notice of the last one makes the
                // live reader read both from the stream.
                redis.call("SPUBLISH", "{q:t:" + topic + "}:live",
                        "2:q1,8:hhhhhhhh," + last.length() + ":" + last + "," + first.length() + ":" + first + ",");
            } else {
                // NATS headers cannot hold line breaks at all; the key (in the subject) and the data can.
                NatsLayout layout = new NatsLayout("QUIVER", "quiver");
                try (Connection connection = Nats.connect(nats.url())) {
                    connection.jetStream().publish(layout.eventSubject(topic, "k\ny\rz"),
                            new Headers().add("Quiver-Type", evilType).add("Quiver-Op", "up sert"),
                            "{\"a\":\r\n1,\n\"b\":\"line\\nbreak\"}".getBytes(StandardCharsets.UTF_8));
                    connection.jetStream().publish(layout.eventSubject(topic, null),
                            new Headers().add("Quiver-Type", "t"),
                            "not json\nat all".getBytes(StandardCharsets.UTF_8));
                }
            }
            List<SseClient.Frame> frames = client.take(2, WAIT);
            for (SseClient.Frame frame : frames) {
                assertThat(frame.event()).isNull();
                assertThat(json(frame).get("topic").asText()).isEqualTo(topic);
            }
            assertThat(json(frames.get(0)).get("type").asText()).isEqualTo(evilType);
            assertThat(json(frames.get(0)).get("data").get("b").asText()).isEqualTo("line\nbreak");
            assertThat(json(frames.get(1)).get("data").isNull()).isTrue();
            for (String line : client.lines) {
                assertThat(line).matches("(|:.*|retry: \\d+|id: [^\\r\\n]*|data: \\{[^\\r\\n]*\\})");
            }
        }
    }

    @Test
    void heartbeatCommentsArrive() throws InterruptedException {
        String topic = freshTopic("beat");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            long deadline = System.currentTimeMillis() + 5000;
            while (client.lines.stream().noneMatch(":"::equals) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(client.lines).contains(":");
        }
    }

    @Test
    void corsFollowsTheConfiguredOrigins() {
        String topic = freshTopic("cors");
        try (SseClient allowed = SseClient.open(stream("topic=" + topic), Map.of("Origin", "http://localhost:8080"))) {
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.headers().firstValue("access-control-allow-origin")).hasValue("http://localhost:8080");
        }
        try (SseClient other = SseClient.open(stream("topic=" + topic), Map.of("Origin", "https://evil.example"))) {
            assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
        }
    }

    @Test
    void badRequestsGetProblems() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : "&").append("topic=t").append(i);
        }
        assertProblem(SseClient.open(stream(many.toString())), 400);
        assertProblem(SseClient.open(stream("")), 400);
        assertProblem(SseClient.open(stream("topic=bad%20name")), 400);
        assertProblem(SseClient.open(stream("topic=a"), Map.of("Last-Event-ID", "garbage")), 400);
        assertProblem(SseClient.open(stream("topic=a&topic=b&since=" + enc("aaaaaaaa:1-0"))), 400);
        assertProblem(SseClient.open(stream("topic=a"), Map.of("Accept", "application/json")), 406);
    }

    private static void assertProblem(SseClient client, int status) {
        try (client) {
            assertThat(client.status()).isEqualTo(status);
            assertThat(client.headers().firstValue("content-type")).hasValue("application/problem+json");
        }
    }
}
