package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class BatchTest extends IngestTestSupport {

    private static ValidatableResponse batch(String contentType, String body) {
        return given().contentType(contentType).body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/events").then();
    }

    private static String item(String topic, int n) {
        return "{\"topic\":\"" + topic + "\",\"type\":\"t\",\"key\":\"k" + n + "\",\"data\":" + n + "}";
    }

    @Test
    void answersIdsInRequestOrderAcrossTopics() {
        String a = freshTopic("batch-a");
        String b = freshTopic("batch-b");
        ValidatableResponse response = batch("application/json",
                "[" + item(a, 1) + "," + item(b, 2) + "," + item(a, 3) + "]")
                .statusCode(202)
                .body("events", hasSize(3))
                .body("events[0].topic", equalTo(a))
                .body("events[1].topic", equalTo(b))
                .body("events[2].topic", equalTo(a));
        List<String> ids = response.extract().path("events.id");
        assertThat(entries(a)).extracting(e -> e.get(0)).containsExactly(ids.get(0), ids.get(2));
        assertThat(entries(b)).extracting(e -> e.get(0)).containsExactly(ids.get(1));
    }

    @Test
    void oneInvalidItemWritesNothingAndNamesItsIndex() {
        String a = freshTopic("batch-bad");
        problem(batch("application/json", "[" + item(a, 1) + ",{\"topic\":\"" + a + "\",\"type\":\"t\"}]"), 400,
                "invalid-event")
                .body("index", equalTo(1))
                .body("field", equalTo("/1/data"));
        problem(batch("application/json", "[" + item(a, 1) + ",{\"type\":\"t\",\"data\":1}]"), 400, "invalid-topic")
                .body("index", equalTo(1))
                .body("field", equalTo("/1/topic"));
        problem(batch("application/json", "[" + item(a, 1) + "," + item("bad topic", 2) + "]"), 400, "invalid-topic")
                .body("index", equalTo(1));
        problem(batch("application/json", "[" + item(a, 1) + ",42]"), 400, "invalid-event").body("index", equalTo(1));
        assertThat(length(a)).isZero();
    }

    @Test
    void sizeBounds() {
        String a = freshTopic("batch-size");
        problem(batch("application/json", "[]"), 400, "invalid-event");
        problem(batch("application/json", "{\"topic\":\"" + a + "\"}"), 400, "invalid-event");
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 1001; i++) {
            body.append(i == 0 ? "" : ",").append(item(a, i));
        }
        problem(batch("application/json", body + "]"), 400, "invalid-event");
        assertThat(length(a)).isZero();

        StringBuilder thousand = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            thousand.append(i == 0 ? "" : ",").append(item(a, i));
        }
        batch("application/json", thousand.append("]").toString()).statusCode(202).body("events", hasSize(1000));
        assertThat(length(a)).isEqualTo(1000);
    }

    @Test
    void idempotencyKeyCoversEveryItem() {
        String a = freshTopic("batch-idem");
        String body = "[" + item(a, 1) + "," + item(a, 2) + "]";
        List<String> first = given().contentType("application/json").header("Idempotency-Key", "batch-1")
                .body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/events").then().statusCode(202)
                .extract().path("events.id");
        given().contentType("application/json").header("Idempotency-Key", "batch-1")
                .body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/events").then().statusCode(202)
                .header("Idempotent-Replayed", "true")
                .body("events.id", equalTo(first));
        assertThat(length(a)).isEqualTo(2);
        problem(given().contentType("application/json").header("Idempotency-Key", "batch-1")
                .body(("[" + item(a, 1) + "," + item(a, 9) + "]").getBytes(StandardCharsets.UTF_8))
                .post("/v1/events").then(), 409, "idempotency-conflict").body("index", equalTo(1));
        assertThat(length(a)).isEqualTo(2);
    }

    @Test
    void aTopicWhoseWriteFailsIsNamedAndTheOthersAreStillWritten() {
        // Each topic is written on its own, so one can fail while the others land; the problem says which did. A
        // Redis node that dies mid-batch is the 503 case (e2e RedisTopologiesIT); a conflict on one topic is the one a
        // single Redis can show.
        String a = freshTopic("batch-ok");
        String b = freshTopic("batch-conflict");
        given().contentType("application/json").header("Idempotency-Key", "partial-1")
                .body(("[" + item(b, 2) + "]").getBytes(StandardCharsets.UTF_8)).post("/v1/events").then()
                .statusCode(202);
        // b is at index 0 again under the same key, with other content: a conflict; a is new and written.
        String body = "[" + item(b, 9) + "," + item(a, 1) + "]";
        problem(given().contentType("application/json").header("Idempotency-Key", "partial-1")
                .body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/events").then(), 409, "idempotency-conflict")
                .body("index", equalTo(0))
                .body("written", equalTo(List.of(a)))
                .body("failed", equalTo(List.of(b)));
        assertThat(length(a)).isEqualTo(1);
        assertThat(length(b)).isEqualTo(1);
    }

    @Test
    void cloudEventsBatchNeedsTheTopicExtensionAndDedupsBySourceAndId() {
        String a = freshTopic("ce-batch");
        String body = "[{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"quivertopic\":\"" + a
                + "\",\"subject\":\"k\",\"data\":1},"
                + "{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"s\",\"type\":\"t\",\"quivertopic\":\"" + a
                + "\",\"data\":2}]";
        List<String> ids = batch("application/cloudevents-batch+json", body).statusCode(202).extract()
                .path("events.id");
        batch("application/cloudevents-batch+json", body).statusCode(202).body("events.id", equalTo(ids));
        assertThat(length(a)).isEqualTo(2);

        problem(batch("application/cloudevents-batch+json",
                "[{\"specversion\":\"1.0\",\"id\":\"3\",\"source\":\"s\",\"type\":\"t\",\"data\":3}]"), 400,
                "invalid-topic").body("field", equalTo("/0/quivertopic")).body("index", equalTo(0));
    }

    @Test
    void duplicateKeysWithDifferentContentInOneBatchAre409() {
        String a = freshTopic("ce-batch-dup");
        String body = "[{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"quivertopic\":\"" + a
                + "\",\"data\":1},"
                + "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"quivertopic\":\"" + a
                + "\",\"data\":2}]";
        problem(batch("application/cloudevents-batch+json", body), 409, "idempotency-conflict").body("index",
                equalTo(1));
        assertThat(length(a)).isZero();
    }

    @Test
    void unsupportedMediaTypes() {
        problem(batch("application/cloudevents+json", "[]"), 415, "unsupported-media-type");
        problem(batch("text/csv", "a,b"), 415, "unsupported-media-type");
    }
}
