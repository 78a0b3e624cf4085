package dev.quiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class ConsistencyTest extends IngestTestSupport {

    private static final Pattern ID = Pattern.compile("\"id\":\"(\\d+-\\d+)\"");

    @TestHTTPResource("/v1/topics/")
    URI topics;

    @Test
    void thousandConcurrentPostsLandExactlyOnce() {
        String topic = freshTopic("burst");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            HttpRequest request = HttpRequest.newBuilder(topics.resolve(topic + "/events"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"n\",\"data\":" + i + "}"))
                    .build();
            responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> ids = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> future : responses) {
            HttpResponse<String> response = future.join();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            Matcher id = ID.matcher(response.body());
            assertThat(id.find()).isTrue();
            ids.add(id.group(1));
        }
        assertThat(ids).hasSize(1000);
        List<List<Object>> entries = entries(topic);
        assertThat(entries).hasSize(1000);
        assertThat(entries).extracting(e -> (String) e.get(0)).containsExactlyInAnyOrderElementsOf(ids);
        Set<String> data = new HashSet<>();
        entries.forEach(e -> data.add(fields(e).get("data")));
        assertThat(data).hasSize(1000);
    }

    @Test
    void stateEqualsTheFoldOfRandomUpsertsAndDeletes() {
        String topic = freshTopic("fold");
        Random random = new Random(42);
        Map<String, String> expected = new HashMap<>();
        Map<String, String> expectedIds = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            String key = "k" + random.nextInt(25);
            if (random.nextInt(4) == 0) {
                post(topic, "{\"type\":\"del\",\"key\":\"" + key + "\",\"op\":\"delete\"}").statusCode(202);
                expected.remove(key);
                expectedIds.remove(key);
            } else {
                String data = "{\"v\":" + i + "}";
                String id = post(topic, "{\"type\":\"set\",\"key\":\"" + key + "\",\"data\":" + data + "}")
                        .statusCode(202).extract().path("id");
                expected.put(key, data);
                expectedIds.put(key, id);
            }
        }
        Map<String, String> state = new HashMap<>(stored().state(topic));
        Map<String, String> expectedState = new HashMap<>();
        expected.forEach((key, data) -> expectedState.put(key, expectedIds.get(key) + " " + data));
        assertThat(state).isEqualTo(expectedState);

        // The same fold, computed from the stream: history and state agree.
        Map<String, String> folded = new HashMap<>();
        for (List<Object> entry : entries(topic)) {
            Map<String, String> fields = fields(entry);
            if ("delete".equals(fields.get("op"))) {
                folded.remove(fields.get("key"));
            } else {
                folded.put(fields.get("key"), entry.get(0) + " " + fields.get("data"));
            }
        }
        assertThat(folded).isEqualTo(state);
    }

    @ConfigProperty(name = "quiver.events.retention.topics.\"tiny.*\".max-len")
    long tinyMaxLen;

    @Test
    void perTopicRetentionOverridesApply() {
        String tiny = freshTopic("tiny");
        String roomy = freshTopic("roomy");
        for (int i = 0; i < 300; i++) {
            post(tiny, "{\"type\":\"n\",\"data\":" + i + "}").statusCode(202);
            post(roomy, "{\"type\":\"n\",\"data\":" + i + "}").statusCode(202);
        }
        // Approximate trimming keeps whole 100-entry nodes, so "tiny" keeps at most 100 + its limit.
        assertThat(length(tiny)).isBetween(tinyMaxLen, tinyMaxLen + 100);
        assertThat(length(roomy)).isEqualTo(300);
        assertThat(stored().trimmed(tiny)).isTrue();
    }
}
