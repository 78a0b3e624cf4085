package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

import dev.quiver.contract.nats.NatsPresence;
import dev.quiver.contract.nats.PresenceRecord;
import dev.quiver.contract.redis.LuaScript;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

/**
 * Presence on one edge, with another pod played by the presence script itself on the same real Redis: joins and leaves
 * across transports and connections, a dead pod's members leaving, long polls, the member list, and refusals.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@TestProfile(PresenceTest.Presence.class)
@EveryBroker
class PresenceTest extends EdgeTestSupport {

    /** Presence on {@code room.*}, with intervals short enough for a test to watch a lease end. */
    public static class Presence implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.presence.topics", "room.*", "quiver.presence.flush-interval", "50ms",
                    "quiver.presence.refresh-interval", "200ms", "quiver.presence.timeout", "1s",
                    "quiver.presence.poll-window", "1500ms");
        }
    }

    private static final Duration QUIET = Duration.ofMillis(600);

    private SseClient sse(String topic, String name, boolean watch) {
        SseClient client = SseClient.open(stream("topic=" + topic + (name == null ? "" : "&name=" + name)
                + (watch ? "&presence=1" : "")));
        assertThat(client.status()).isEqualTo(200);
        return client;
    }

    /** The next join or leave on an SSE stream, as {@code "join alice"}, skipping other frames. */
    private static String nextChange(SseClient client) {
        while (true) {
            SseClient.Frame frame = client.next(WAIT);
            if ("join".equals(frame.event()) || "leave".equals(frame.event())) {
                assertThat(frame.id()).isNull();
                JsonPath data = JsonPath.from(frame.data());
                return frame.event() + " " + data.getString("member.sub");
            }
        }
    }

    private static List<String> changes(SseClient client, Duration quiet) {
        List<String> seen = new ArrayList<>();
        for (SseClient.Frame frame : client.drain(quiet)) {
            if (frame.event() != null) {
                seen.add(frame.event() + " " + JsonPath.from(frame.data()).getString("member.sub"));
            }
        }
        return seen;
    }

    private WsTestClient ws(String name) {
        return new WsTestClient(root, "/v1/ws" + (name == null ? "" : "?name=" + name), null, Map.of());
    }

    @Test
    void oneJoinAndOneLeavePerSubjectWhateverItsConnectionsAndTransports() {
        String topic = freshTopic("room");
        try (SseClient watcher = sse(topic, "watcher", true); WsTestClient wsWatcher = ws(null)) {
            assertThat(nextChange(watcher)).isEqualTo("join watcher");
            wsWatcher.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"topic\":\"" + topic + "\",\"presence\":true}");
            wsWatcher.nextOp("subscribed", WAIT);

            SseClient aliceSse = sse(topic, "alice", false);
            assertThat(nextChange(watcher)).isEqualTo("join alice");
            JsonNode join = wsWatcher.nextOp("join", WAIT);
            assertThat(join.path("topic").asText()).isEqualTo(topic);
            assertThat(join.path("member").path("sub").asText()).isEqualTo("alice");
            assertThat(join.path("member").path("since").asText()).matches("\\d{4}-.*Z");

            try (WsTestClient aliceWs = ws("alice")) {
                aliceWs.send("{\"op\":\"subscribe\",\"ref\":\"a\",\"topic\":\"" + topic + "\"}");
                aliceWs.nextOp("subscribed", WAIT);
                aliceSse.close();
                // alice still has a connection: no leave, and no second join either.
                assertThat(changes(watcher, QUIET)).isEmpty();
            }
            assertThat(nextChange(watcher)).isEqualTo("leave alice");
            assertThat(wsWatcher.nextOp("leave", WAIT).path("member").path("sub").asText()).isEqualTo("alice");
        }
    }

    @Inject
    Instance<NatsPresence> natsPresence;

    /** Another pod says {@code subject} is there, renews its lease once, and is never heard of again (SIGKILL). */
    private void deadPodHolds(String topic, String subject) {
        if (nats != null) {
            natsPresence.get().publish(topic, "dead-pod", new PresenceRecord(1, 0, List.of(new PresenceRecord.Member(
                    subject, "{\"seat\":7}", PresenceRecord.since(System.currentTimeMillis()))))).await()
                    .atMost(WAIT);
            return;
        }
        Vertx vertx = Vertx.vertx();
        Redis other = Redis.createClient(vertx, redis.uri());
        try {
            LuaScript.PRESENCE.run(other, PresenceLayout.keys(topic), PresenceLayout.updateArgs("dead-pod", 1000,
                    null, false, Map.of(subject, "{\"seat\":7}"), List.of())).await().atMost(WAIT);
        } finally {
            other.close();
            vertx.closeAndAwait();
        }
    }

    @Test
    void membersOfAPodThatDiedLeaveWhenItsLeaseEnds() {
        String topic = freshTopic("room");
        try (SseClient watcher = sse(topic, "watcher", true)) {
            assertThat(nextChange(watcher)).isEqualTo("join watcher");
            long written = System.nanoTime();
            deadPodHolds(topic, "bob");
            assertThat(nextChange(watcher)).isEqualTo("join bob");
            assertThat(nextChange(watcher)).isEqualTo("leave bob");
            // Never before the lease (1 s from the write) ended; then within one refresh of this pod (0.2 s), with
            // room for a slow machine.
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isBetween(Duration.ofMillis(1000),
                    Duration.ofSeconds(5));
        }
    }

    @Test
    void aLongPollerStaysPresentBetweenPollsForTheWindowAndGetsJoins() throws Exception {
        String topic = freshTopic("room");
        try (SseClient watcher = sse(topic, "watcher", true)) {
            assertThat(nextChange(watcher)).isEqualTo("join watcher");
            long asked = System.nanoTime();
            given().get(poll("topic=" + topic + "&name=carol&timeout=0")).then().statusCode(200);
            assertThat(nextChange(watcher)).isEqualTo("join carol");
            assertThat(nextChange(watcher)).isEqualTo("leave carol");
            // Present for the window (1.5 s) after the poll answered, which was after it was asked.
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isGreaterThan(Duration.ofMillis(1500));

            // A held poll that asks for presence answers with the joins it sees, and no cursor moves for them. Joins
            // between polls are not sent (docs/presence.md), so each try opens a new member while a poll is held.
            List<String> seen = new ArrayList<>();
            List<SseClient> opened = new ArrayList<>();
            String wanted = null;
            try {
                for (int attempt = 0; attempt < 5 && (wanted == null || !seen.contains(wanted)); attempt++) {
                    CompletableFuture<JsonPath> held = CompletableFuture.supplyAsync(() -> given()
                            .get(poll("topic=" + topic + "&presence=1&timeout=5&name=poller")).then().statusCode(200)
                            .extract().jsonPath());
                    Thread.sleep(300);
                    wanted = "join dave" + attempt;
                    opened.add(sse(topic, "dave" + attempt, false));
                    JsonPath answer = held.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(answer.getList("events")).isEmpty();
                    for (Map<String, Object> change : answer.<Map<String, Object>>getList("presence")) {
                        seen.add(change.get("type") + " " + ((Map<?, ?>) change.get("member")).get("sub"));
                    }
                }
            } finally {
                opened.forEach(SseClient::close);
            }
            assertThat(seen).contains(wanted);
        }
    }

    @Test
    void theMemberListPagesBySubjectAndCountsAnonymousConnections() {
        String topic = freshTopic("room");
        try (SseClient a = sse(topic, "amy", false);
                SseClient b = sse(topic, "ben", false);
                SseClient c = sse(topic, "cat", false);
                SseClient anonymous = sse(topic, null, false);
                WsTestClient reader = ws(null)) {
            JsonNode first = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                reader.send("{\"op\":\"presence\",\"ref\":\"p\",\"topic\":\"" + topic + "\",\"limit\":2}");
                first = reader.nextOp("presence", WAIT);
                if (first.path("count").asLong() == 3 && first.path("anonymous").asLong() == 1) {
                    break;
                }
            }
            assertThat(first.path("ref").asText()).isEqualTo("p");
            assertThat(first.path("count").asLong()).isEqualTo(3);
            assertThat(first.path("anonymous").asLong()).isEqualTo(1);
            assertThat(first.path("members").findValuesAsText("sub")).containsExactly("amy", "ben");
            assertThat(first.path("next").asText()).isEqualTo("ben");

            reader.send(
                    "{\"op\":\"presence\",\"ref\":\"q\",\"topic\":\"" + topic + "\",\"limit\":2,\"after\":\"ben\"}");
            JsonNode second = reader.nextOp("presence", WAIT);
            assertThat(second.path("members").findValuesAsText("sub")).containsExactly("cat");
            assertThat(second.has("next")).isFalse();
        }
        assertThat(metric("quiver_presence_writes_total{result=\"ok\"}")).isPositive();
    }

    @Test
    void askingForPresenceWhereThereIsNoneIsAClearError() {
        String plain = freshTopic("plain");
        given().get(stream("topic=" + plain + "&presence=1")).then().statusCode(400)
                .contentType("application/problem+json").body("field", org.hamcrest.Matchers.is("query:presence"));
        given().get(poll("topic=" + plain + "&presence=1&timeout=0")).then().statusCode(400);
        given().get(stream("topic=" + freshTopic("room") + "&presence=yes")).then().statusCode(400);
        given().get(stream("topic=" + freshTopic("room") + "&name=" + "x".repeat(65))).then().statusCode(400)
                .body("field", org.hamcrest.Matchers.is("query:name"));
        try (WsTestClient client = ws(null)) {
            client.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"topic\":\"" + plain + "\",\"presence\":true}");
            assertThat(client.nextOp("error", WAIT).path("code").asText()).isEqualTo("invalid-request");
            client.send("{\"op\":\"presence\",\"ref\":\"p\",\"topic\":\"" + plain + "\"}");
            assertThat(client.nextOp("error", WAIT).path("code").asText()).isEqualTo("not-found");
            client.send("{\"op\":\"presence\",\"ref\":\"p\",\"topic\":\"" + freshTopic("room") + "\",\"limit\":0}");
            assertThat(client.nextOp("error", WAIT).path("code").asText()).isEqualTo("invalid-request");
            client.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"topic\":\"" + plain + "\",\"presence\":\"yes\"}");
            assertThat(client.nextOp("error", WAIT).path("code").asText()).isEqualTo("invalid-request");
        }
    }
}
