package dev.quiver.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.smallrye.mutiny.Multi;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventOp;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class SnapshotTest extends SnapshotTestSupport {

    @Test
    void snapshotIsTheStateAtItsCursor() {
        String topic = freshTopic("snap");
        upsert(topic, "b", "{\"n\":1}");
        upsert(topic, "a", "[1,2]");
        String deleted = upsert(topic, "c", "3");
        delete(topic, "c");
        String last = note(topic, "\"history only\"");
        assertThat(deleted).isNotNull();

        given().get("/v1/topics/{t}/snapshot", topic).then().statusCode(200)
                .header("Cache-Control", "no-cache")
                .body("topic", equalTo(topic))
                .body("cursor", equalTo(epoch(topic) + ":" + last))
                .body("entities", hasSize(2))
                .body("entities[0].key", equalTo("a"))
                .body("entities[0].data", equalTo(List.of(1, 2)))
                .body("entities[1].key", equalTo("b"))
                .body("entities[1].data.n", equalTo(1))
                .body("next", nullValue());
    }

    @Test
    void unknownTopicIsAnEmptySnapshotWithAValidCursor() {
        String topic = freshTopic("nobody");
        given().get("/v1/topics/{t}/snapshot", topic).then().statusCode(200)
                .body("cursor", equalTo("-")).body("entities", hasSize(0));
        // That cursor works for history: everything after it, once the topic exists.
        String id = upsert(topic, "k", "1");
        given().get("/v1/topics/{t}/events?after=-", topic).then().statusCode(200)
                .body("events", hasSize(1)).body("events[0].id", equalTo(id))
                .body("next", equalTo(epoch(topic) + ":" + id));
    }

    @Test
    void etagAndIfNoneMatch() {
        String topic = freshTopic("etag");
        upsert(topic, "k", "1");
        String etag = given().get("/v1/topics/{t}/snapshot", topic).then().statusCode(200).extract().header("ETag");
        assertThat(etag).startsWith("\"").endsWith("\"");
        given().header("If-None-Match", etag).get("/v1/topics/{t}/snapshot", topic).then().statusCode(304)
                .header("ETag", etag);
        upsert(topic, "k", "2");
        given().header("If-None-Match", etag).get("/v1/topics/{t}/snapshot", topic).then().statusCode(200)
                .body("entities[0].data", equalTo(2));
        // Another page of the same version is another representation.
        String other = given().get("/v1/topics/{t}/snapshot?limit=1", topic).then().extract().header("ETag");
        assertThat(other).isNotEqualTo(etag);
    }

    @Test
    void paginationWalksEveryKeyOnceWithTheWalkCursor() {
        String topic = freshTopic("pages");
        for (int i = 0; i < 10; i++) {
            upsert(topic, String.format("k%02d", i), Integer.toString(i));
        }
        List<String> keys = new ArrayList<>();
        String path = "/v1/topics/" + topic + "/snapshot?limit=3";
        String walkCursor = null;
        int pages = 0;
        while (path != null) {
            ExtractableResponse<Response> page = given().urlEncodingEnabled(false).get(path).then().statusCode(200)
                    .extract();
            keys.addAll(page.path("entities.key"));
            if (walkCursor == null) {
                walkCursor = page.path("cursor");
            } else {
                assertThat((String) page.path("cursor")).isEqualTo(walkCursor);
                assertThat((String) page.path("pageCursor")).isNotNull();
            }
            path = page.path("next");
            pages++;
        }
        assertThat(pages).isEqualTo(4);
        assertThat(keys).hasSize(10).doesNotHaveDuplicates().isSorted();
        // Exactly a multiple of the page size: no empty trailing page.
        String exact = given().get("/v1/topics/{t}/snapshot?limit=5", topic).then().extract().path("next");
        assertThat(given().urlEncodingEnabled(false).get(exact).then().extract().<String>path("next")).isNull();
        given().get("/v1/topics/{t}/snapshot?limit=10", topic).then().body("entities", hasSize(10))
                .body("next", nullValue());
    }

    @Test
    void limitsAreBounded() {
        given().get("/v1/topics/t/snapshot?limit=0").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/v1/topics/t/snapshot?limit=5001").then().statusCode(400);
        given().get("/v1/topics/t/snapshot?limit=abc").then().statusCode(400)
                .body("type", equalTo("urn:quiver:problem:invalid-request"));
        given().get("/v1/topics/t/snapshot?limit=5000").then().statusCode(200);
        given().get("/v1/topics/t/events?limit=1001").then().statusCode(400);
        given().get("/v1/topics/t/snapshot?walk=nonsense").then().statusCode(400)
                .body("type", equalTo("urn:quiver:problem:invalid-cursor"));
        given().get("/v1/topics/bad topic/snapshot").then().statusCode(400)
                .body("type", equalTo("urn:quiver:problem:invalid-topic"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "with/slash", "ünïcødé ✓", "100%", "a?b#c", "sp ace", "%2F"})
    void hostileKeysRoundTrip(String key) {
        String topic = freshTopic("keys");
        String id = upsert(topic, key, "{\"v\":1}");
        given().get("/v1/topics/{t}/snapshot", topic).then().body("entities[0].key", equalTo(key));
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        given().urlEncodingEnabled(false).get("/v1/topics/" + topic + "/entities/" + encoded).then().statusCode(200)
                .body("key", equalTo(key)).body("id", equalTo(id)).body("data.v", equalTo(1))
                .body("cursor", equalTo(epoch(topic) + ":" + id));
    }

    @Test
    void missingEntityIs404Problem() {
        String topic = freshTopic("missing");
        upsert(topic, "here", "1");
        given().get("/v1/topics/{t}/entities/{k}", topic, "absent").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("urn:quiver:problem:not-found"));
    }

    @Test
    void historyPagesAfterACursorAndSaysGoneWhenTrimmed() {
        String topic = freshTopic("tiny");
        String first = note(topic, "0");
        given().get("/v1/topics/{t}/events?after={c}&limit=2", topic, epoch(topic) + ":" + first).then()
                .statusCode(200).body("events", hasSize(0)).body("next", equalTo(epoch(topic) + ":" + first));
        for (int i = 1; i <= 300; i++) {
            note(topic, Integer.toString(i));
        }
        given().get("/v1/topics/{t}/events?after={c}", topic, epoch(topic) + ":" + first).then().statusCode(410)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:quiver:problem:cursor-gone"))
                .body("reason", equalTo("expired"))
                .body("snapshot", equalTo("/v1/topics/" + topic + "/snapshot"));
        given().get("/v1/topics/{t}/events?after=-", topic).then().statusCode(410);
        given().get("/v1/topics/{t}/events?after={c}", topic, "aaaaaaaa:" + first).then().statusCode(410)
                .body("reason", equalTo("unknown"));
        // The snapshot's cursor is always served.
        String cursor = given().get("/v1/topics/{t}/snapshot", topic).then().extract().path("cursor");
        given().get("/v1/topics/{t}/events?after={c}", topic, cursor).then().statusCode(200).body("events", hasSize(0));
    }

    @Test
    void metricsAndOpenApi() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("quiver_snapshot_entities_total"));
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/v1/topics/{topic}/snapshot'.get", notNullValue());
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void hundredThousandEntitiesAreServedInBoundedPages() {
        String topic = freshTopic("large");
        List<List<AppendRequest>> batches = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            if (i % 1000 == 0) {
                batches.add(new ArrayList<>());
            }
            String key = String.format("e%06d", i);
            batches.get(batches.size() - 1)
                    .add(new AppendRequest(new EventDraft(topic, "set", key, EventOp.UPSERT, Integer.toString(i)),
                            null));
        }
        // Eight batches in flight, as concurrent publishers would send them: a JetStream topic writes its events one
        // round trip after another, so sequential batches would spend most of this test seeding.
        Multi.createFrom().iterable(batches).onItem().transformToUni(batch -> writer.append(topic, batch)).merge(8)
                .collect().asList().await().atMost(Duration.ofSeconds(60));
        String path = "/v1/topics/" + topic + "/snapshot?limit=5000";
        int total = 0;
        int pages = 0;
        String previousLast = "";
        while (path != null) {
            ExtractableResponse<Response> page = given().urlEncodingEnabled(false).get(path).then().statusCode(200)
                    .extract();
            List<String> keys = page.path("entities.key");
            assertThat(keys).hasSizeLessThanOrEqualTo(5000).isSorted();
            assertThat(keys.get(0)).isGreaterThan(previousLast);
            previousLast = keys.get(keys.size() - 1);
            total += keys.size();
            pages++;
            path = page.path("next");
        }
        assertThat(total).isEqualTo(100_000);
        assertThat(pages).isEqualTo(20);
    }
}
