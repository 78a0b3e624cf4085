package dev.quiver.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class PollTest extends EdgeTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static JsonNode get(URI uri) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            ((ObjectNode) body).put("_status", response.statusCode());
            return body;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void answersAtOnceWhenEventsAfterTheCursorExistAndPagesByLimit() {
        String topic = freshTopic("poll");
        List<String> ids = publishMany(topic, 0, 5);
        String cursor = null;
        List<Integer> seen = new ArrayList<>();
        // Start from "before the first event" of this history, two at a time.
        String since = "&since=" + enc(epoch(topic) + ":0-0");
        for (int round = 0; round < 3; round++) {
            JsonNode page = get(poll("topic=" + topic + "&limit=2&timeout=5"
                    + (cursor == null ? since : "&cursor=" + enc(cursor))));
            assertThat(page.get("_status").asInt()).isEqualTo(200);
            page.get("events").forEach(e -> seen.add(e.get("data").asInt()));
            cursor = page.get("cursor").asText();
            assertThat(page.get("resets")).isEmpty();
        }
        assertThat(seen).containsExactly(0, 1, 2, 3, 4);
        assertThat(ids).hasSize(5);
    }

    @Test
    void pagesEventsThePodHoldsLikeEventsReadFromRedis() {
        String topic = freshTopic("held-poll");
        // A stream keeps the topic followed, so the pod holds its last events.
        try (SseClient watcher = SseClient.open(stream("topic=" + topic))) {
            publish(topic, "first");
            List<SseClient.Frame> first = watcher.take(1, WAIT);
            publishMany(topic, 0, 5);
            assertThat(watcher.take(5, WAIT)).hasSize(5);
            String cursor = first.get(0).id();
            double fromMemory = metric("quiver_edge_recent_replays_total");
            List<Integer> seen = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                JsonNode page = get(poll("topic=" + topic + "&limit=2&timeout=1&cursor=" + enc(cursor)));
                assertThat(page.get("_status").asInt()).isEqualTo(200);
                assertThat(page.get("events").size()).isEqualTo(round < 2 ? 2 : 1);
                page.get("events").forEach(e -> seen.add(e.get("data").asInt()));
                cursor = page.get("cursor").asText();
                assertThat(page.get("resets")).isEmpty();
            }
            assertThat(seen).containsExactly(0, 1, 2, 3, 4);
            assertThat(metric("quiver_edge_recent_replays_total") - fromMemory).isEqualTo(3);
        }
    }

    @Test
    void holdsUntilAnEventArrivesOrTheTimeoutPasses() throws Exception {
        String topic = freshTopic("hold");
        publish(topic, "0");
        JsonNode empty = get(poll("topic=" + topic + "&timeout=1"));
        assertThat(empty.get("events")).isEmpty();
        String cursor = empty.get("cursor").asText();

        CompletableFuture<JsonNode> waiting = CompletableFuture
                .supplyAsync(() -> get(poll("topic=" + topic + "&timeout=20&cursor=" + enc(cursor))));
        Thread.sleep(500);
        assertThat(waiting).isNotDone();
        publish(topic, "1");
        JsonNode page = waiting.get(10, TimeUnit.SECONDS);
        assertThat(page.get("events")).hasSize(1);
        assertThat(page.get("events").get(0).get("data").asInt()).isEqualTo(1);
        assertThat(page.get("cursor").asText()).isNotEqualTo(cursor);
    }

    @Test
    void resetsAreReportedPerTopic() {
        String topic = freshTopic("tiny");
        String first = publish(topic, "0");
        publishMany(topic, 1, 300);
        JsonNode page = get(poll("topic=" + topic + "&timeout=0&since=" + enc(epoch(topic) + ":" + first)));
        assertThat(page.get("resets")).hasSize(1);
        assertThat(page.get("resets").get(0).get("reason").asText()).isEqualTo("expired");
        assertThat(page.get("events")).isEmpty();
    }

    @Test
    void badParametersAreProblems() {
        assertThat(get(poll("topic=a&timeout=600")).get("_status").asInt()).isEqualTo(400);
        assertThat(get(poll("topic=a&limit=0")).get("_status").asInt()).isEqualTo(400);
        assertThat(get(poll("topic=a&cursor=nope")).get("type").asText())
                .isEqualTo("urn:quiver:problem:invalid-cursor");
        assertThat(get(poll("timeout=1")).get("_status").asInt()).isEqualTo(400);
    }

    @Test
    void noStateIsKeptBetweenPolls() {
        String topic = freshTopic("stateless");
        publish(topic, "0");
        JsonNode first = get(poll("topic=" + topic + "&timeout=0"));
        String cursor = first.get("cursor").asText();
        publishMany(topic, 1, 3);
        // The same cursor twice gives the same answer: nothing was remembered.
        JsonNode a = get(poll("topic=" + topic + "&timeout=0&cursor=" + enc(cursor)));
        JsonNode b = get(poll("topic=" + topic + "&timeout=0&cursor=" + enc(cursor)));
        assertThat(a.get("events")).isEqualTo(b.get("events"));
        assertThat(a.get("events")).hasSize(3);
    }
}
