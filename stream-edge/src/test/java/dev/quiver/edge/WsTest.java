package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.contract.redis.StreamId;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class WsTest extends EdgeTestSupport {

    @Test
    void subscribeReceivePublishAndPing() {
        String topic = freshTopic("ws");
        try (WsTestClient client = new WsTestClient(root)) {
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"s1\"}");
            JsonNode subscribed = client.nextOp("subscribed", WAIT);
            assertThat(subscribed.get("ref").asText()).isEqualTo("s1");
            assertThat(subscribed.get("topic").asText()).isEqualTo(topic);
            assertThat(subscribed.get("recovered").asBoolean()).isFalse();
            assertThat(subscribed.get("pod").asText()).isEqualTo("edge-test");

            client.send("{\"op\":\"publish\",\"topic\":\"" + topic
                    + "\",\"event\":{\"type\":\"chat\",\"key\":\"m1\",\"data\":{\"text\":\"hi\"}},\"ref\":\"p1\"}");
            // The ack and the event race: the event may come first.
            JsonNode first = client.next(WAIT);
            JsonNode second = client.next(WAIT);
            JsonNode published = "published".equals(first.get("op").asText()) ? first : second;
            JsonNode event = published == first ? second : first;
            assertThat(published.get("ref").asText()).isEqualTo("p1");
            String id = published.get("id").asText();
            assertThat(event.get("op").asText()).isEqualTo("event");
            assertThat(event.get("event").get("id").asText()).isEqualTo(id);
            assertThat(event.get("event").get("data").get("text").asText()).isEqualTo("hi");
            assertThat(event.get("event").get("op").asText()).isEqualTo("upsert");
            assertThat(event.get("cursor").asText()).isEqualTo(epoch(topic) + ":" + id);
            // The state was written as ingest would: same script.
            assertThat(stored().state(topic).get("m1")).isEqualTo(id + " {\"text\":\"hi\"}");

            client.send("{\"op\":\"ping\",\"ref\":\"x\"}");
            assertThat(client.nextOp("pong", WAIT).get("ref").asText()).isEqualTo("x");
            assertThat(client.frameKinds).containsOnly("text");
            given().get("/q/metrics").then().statusCode(200)
                    .body(containsString("quiver_edge_connections{transport=\"ws\"} 1.0"))
                    .body(containsString("quiver_edge_deliveries_total{transport=\"ws\"}"));
        }
    }

    @Test
    void publishesOfOneConnectionAreStoredInTheOrderSent() {
        String topic = freshTopic("ws-order");
        try (WsTestClient client = new WsTestClient(root)) {
            for (int i = 0; i < 50; i++) {
                client.send("{\"op\":\"publish\",\"topic\":\"" + topic
                        + "\",\"event\":{\"type\":\"t\",\"key\":\"k\",\"data\":" + i + "},\"ref\":\"p" + i + "\"}");
            }
            String previous = "0-0";
            for (int i = 0; i < 50; i++) {
                JsonNode published = client.nextOp("published", WAIT);
                assertThat(published.get("ref").asText()).isEqualTo("p" + i);
                String id = published.get("id").asText();
                assertThat(StreamId.parse(id)).isGreaterThan(StreamId.parse(previous));
                previous = id;
            }
        }
        List<Integer> stored = given().queryParam("topic", topic).queryParam("since", "-").queryParam("timeout", 0)
                .get("/v1/poll").then().statusCode(200).extract().jsonPath().getList("events.data", Integer.class);
        List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add(i);
        }
        assertThat(stored).isEqualTo(sent);
    }

    @Test
    void subscribeWithSinceReplaysWithoutGapOrDuplicateWhilePublishing() throws Exception {
        String topic = freshTopic("ws-seam");
        String first = publish(topic, "0");
        CompletableFuture<List<String>> publisher = CompletableFuture.supplyAsync(() -> publishMany(topic, 1, 999));
        try (WsTestClient client = new WsTestClient(root)) {
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"since\":\"" + epoch(topic) + ":" + first
                    + "\",\"ref\":\"r\"}");
            JsonNode subscribed = client.nextOp("subscribed", WAIT);
            assertThat(subscribed.get("recovered").asBoolean()).isTrue();
            List<Integer> data = new ArrayList<>();
            client.events(999, Duration.ofSeconds(60)).forEach(e -> data.add(e.get("event").get("data").asInt()));
            publisher.get();
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i < 1000; i++) {
                expected.add(i);
            }
            assertThat(data).isEqualTo(expected);
            assertThat(client.drain(Duration.ofMillis(300))).noneMatch(m -> "event".equals(m.path("op").asText()));
        }
    }

    @Test
    void unhonourableCursorIsNotRecoveredAndGetsAReset() {
        String topic = freshTopic("ws-reset");
        String id = publish(topic, "0");
        try (WsTestClient client = new WsTestClient(root)) {
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"since\":\"aaaaaaaa:" + id
                    + "\",\"ref\":\"r\"}");
            assertThat(client.nextOp("subscribed", WAIT).get("recovered").asBoolean()).isFalse();
            JsonNode reset = client.nextOp("reset", WAIT);
            assertThat(reset.get("topic").asText()).isEqualTo(topic);
            assertThat(reset.get("reason").asText()).isEqualTo("unknown");
            publish(topic, "1");
            assertThat(client.nextOp("event", WAIT).get("event").get("data").asInt()).isEqualTo(1);
        }
    }

    @Test
    void unsubscribeStopsDeliveryAndErrorsArePerRef() {
        String topic = freshTopic("ws-unsub");
        try (WsTestClient client = new WsTestClient(root)) {
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"s\"}");
            client.nextOp("subscribed", WAIT);
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"again\"}");
            JsonNode again = client.nextOp("error", WAIT);
            assertThat(again.get("ref").asText()).isEqualTo("again");
            assertThat(again.get("code").asText()).isEqualTo("already-subscribed");
            client.send("{\"op\":\"unsubscribe\",\"topic\":\"" + topic + "\",\"ref\":\"u\"}");
            client.send("{\"op\":\"ping\",\"ref\":\"after-unsub\"}");
            client.nextOp("pong", WAIT);
            publish(topic, "1");
            assertThat(client.drain(Duration.ofMillis(500))).noneMatch(m -> "event".equals(m.path("op").asText()));
            client.send("{\"op\":\"unsubscribe\",\"topic\":\"" + topic + "\",\"ref\":\"u2\"}");
            assertThat(client.nextOp("error", WAIT).get("code").asText()).isEqualTo("not-subscribed");

            // A bad publish is an error for its ref; the connection carries on.
            client.send("{\"op\":\"publish\",\"topic\":\"" + topic
                    + "\",\"event\":{\"type\":\"\",\"data\":1},\"ref\":\"bad\"}");
            JsonNode invalid = client.nextOp("error", WAIT);
            assertThat(invalid.get("ref").asText()).isEqualTo("bad");
            assertThat(invalid.get("code").asText()).isEqualTo("invalid-event");
            client.send(
                    "{\"op\":\"publish\",\"topic\":\"bad topic\",\"event\":{\"type\":\"t\",\"data\":1},\"ref\":\"bt\"}");
            assertThat(client.nextOp("error", WAIT).get("code").asText()).isEqualTo("invalid-topic");
            client.send("{\"op\":\"ping\",\"ref\":\"alive\"}");
            assertThat(client.nextOp("pong", WAIT).get("ref").asText()).isEqualTo("alive");
        }
    }

    @Test
    void publishHonoursIdempotencyKeysSharedWithHttpIngest() {
        String topic = freshTopic("ws-idem");
        try (WsTestClient client = new WsTestClient(root)) {
            String publish = "{\"op\":\"publish\",\"topic\":\"" + topic
                    + "\",\"event\":{\"type\":\"t\",\"data\":1},\"idempotencyKey\":\"k-1\",\"ref\":\"%s\"}";
            client.send(publish.formatted("a"));
            String id = client.nextOp("published", WAIT).get("id").asText();
            client.send(publish.formatted("b"));
            JsonNode retry = client.nextOp("published", WAIT);
            assertThat(retry.get("ref").asText()).isEqualTo("b");
            assertThat(retry.get("id").asText()).isEqualTo(id);
            assertThat(stored().length(topic)).isEqualTo(1L);
            client.send(publish.replace("\"data\":1", "\"data\":2").formatted("c"));
            JsonNode conflict = client.nextOp("error", WAIT);
            assertThat(conflict.get("ref").asText()).isEqualTo("c");
            assertThat(conflict.get("code").asText()).isEqualTo("idempotency-conflict");
        }
    }

    @Test
    void messagePackRoundTrip() {
        String topic = freshTopic("ws-msgpack");
        try (WsTestClient client = new WsTestClient(root, "quiver.v1.msgpack")) {
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"s\"}");
            client.nextOp("subscribed", WAIT);
            client.send("{\"op\":\"publish\",\"topic\":\"" + topic
                    + "\",\"event\":{\"type\":\"trade\",\"data\":{\"px\":101,\"sym\":\"ACME\"}},\"ref\":\"p\"}");
            JsonNode first = client.next(WAIT);
            JsonNode second = client.next(WAIT);
            JsonNode event = "event".equals(first.get("op").asText()) ? first : second;
            String id = (event == first ? second : first).get("id").asText();
            assertThat(event.get("event").get("id").asText()).isEqualTo(id);
            assertThat(event.get("event").get("data").get("sym").asText()).isEqualTo("ACME");
            assertThat(event.get("event").get("data").get("px").asInt()).isEqualTo(101);
            assertThat(client.frameKinds).containsOnly("binary");
            // A text frame on the MessagePack protocol is a protocol error, answered but not fatal once.
            client.sendText("{\"op\":\"ping\"}");
            assertThat(client.nextOp("error", WAIT).get("code").asText()).isEqualTo("unsupported-frame");
        }
    }

    @Test
    void repeatedMalformedFramesClose4400() {
        try (WsTestClient client = new WsTestClient(root)) {
            client.sendText("not json");
            assertThat(client.nextOp("error", WAIT).get("code").asText()).isEqualTo("malformed-json");
            client.sendText("{\"op\":\"dance\",\"ref\":\"d\"}");
            JsonNode unknown = client.nextOp("error", WAIT);
            assertThat(unknown.get("code").asText()).isEqualTo("unknown-op");
            assertThat(unknown.get("ref").asText()).isEqualTo("d");
            client.sendBinary(new byte[]{1, 2, 3});
            assertThat(client.nextOp("error", WAIT).get("code").asText()).isEqualTo("unsupported-frame");
            assertThat(client.awaitClose(WAIT).code()).isEqualTo(4400);
        }
    }

    @Test
    void oneGoodFrameResetsTheMalformedCount() {
        try (WsTestClient client = new WsTestClient(root)) {
            for (int i = 0; i < 5; i++) {
                client.sendText("oops");
                client.nextOp("error", WAIT);
                client.sendText("{\"op\":\"ping\"}");
                client.nextOp("pong", WAIT);
            }
            assertThat(client.closed).isNotDone();
        }
    }

    @Test
    void oversizeMessageCloses1009() {
        try (WsTestClient client = new WsTestClient(root)) {
            client.sendText("{\"op\":\"ping\",\"ref\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertThat(client.awaitClose(WAIT).code()).isEqualTo(1009);
        }
        // Exactly at the limit is fine.
        try (WsTestClient client = new WsTestClient(root)) {
            String prefix = "{\"op\":\"ping\",\"ref\":\"";
            client.sendText(prefix + "x".repeat(64 * 1024 - prefix.length() - 2) + "\"}");
            assertThat(client.nextOp("pong", WAIT)).isNotNull();
        }
    }

    @Test
    void peerThatNeverAnswersPingsIsClosed4408() {
        try (RawWs silent = new RawWs(root, 0)) {
            // Pings go out every heartbeat (1 s in tests); the one after an unanswered ping closes.
            RawWs.Frame frame = silent.next();
            assertThat(frame).isNotNull();
            assertThat(frame.opcode()).isEqualTo(0x9);
            assertThat(silent.awaitCloseCode()).isEqualTo(4408);
        }
    }
}
