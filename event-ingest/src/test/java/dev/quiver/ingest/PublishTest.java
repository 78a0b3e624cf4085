package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.contract.redis.StreamId;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class PublishTest extends IngestTestSupport {

    @Test
    void storesTheEventAndItsStateAndAnswers202WithTheStreamId() {
        String topic = freshTopic("orders");
        String id = post(topic,
                "{\"type\":\"order.created\",\"key\":\"o-1\",\"data\":{\"total\":12.50,\"items\":[1,2]}}")
                .statusCode(202)
                .contentType("application/json")
                .body("topic", equalTo(topic))
                .body("id", matchesPattern("\\d+-\\d+"))
                .extract().path("id");

        List<List<Object>> entries = entries(topic);
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get(0)).isEqualTo(id);
        assertThat(fields(entries.get(0))).isEqualTo(Map.of("type", "order.created", "key", "o-1", "op", "upsert",
                "data", "{\"total\":12.50,\"items\":[1,2]}"));
        assertThat(stored().state(topic)).containsExactly(
                Map.entry("o-1", id + " {\"total\":12.50,\"items\":[1,2]}"));
        assertThat(stored().cursor(topic)).isEqualTo(id);
        if (nats == null) {
            // On Redis the id's millisecond part is the append time: the event time clients see.
            assertThat(StreamId.parse(id).millis()).isCloseTo(System.currentTimeMillis(), Offset.offset(60_000L));
        } else {
            // On JetStream the id is the stream sequence (docs/nats.md); the time travels beside it.
            assertThat(id).matches("0-[1-9]\\d*");
        }
    }

    @Test
    void eventsWithoutKeyAreHistoryOnlyAndDeleteRemovesState() {
        String topic = freshTopic("chat");
        post(topic, "{\"type\":\"message\",\"data\":\"hi\"}").statusCode(202);
        post(topic, "{\"type\":\"joined\",\"key\":\"u1\",\"data\":{\"name\":\"Ann\"}}").statusCode(202);
        String deleteId = post(topic, "{\"type\":\"left\",\"key\":\"u1\",\"op\":\"delete\"}").statusCode(202)
                .extract().path("id");

        assertThat(stored().state(topic)).isEmpty();
        assertThat(stored().cursor(topic)).isEqualTo(deleteId);
        assertThat(entries(topic)).extracting(e -> fields(e).get("op")).containsExactly(null, "upsert", "delete");
        assertThat(fields(entries(topic).get(2)).get("data")).isEqualTo("null");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"key/with/slashes", "ключ ✓ 🚀", "100%25 encoded%2F", "a\"quote'and\\back"})
    void hostileButLegalKeysAreStoredVerbatim(String key) {
        String topic = freshTopic("keys");
        String body = "{\"type\":\"t\",\"key\":" + quote(key) + ",\"data\":1}";
        post(topic, body).statusCode(202);
        assertThat(stored().state(topic).keySet()).containsExactly(key);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"data\":1}|/type",
            "{\"type\":\"\",\"data\":1}|/type",
            "{\"type\":[],\"data\":1}|/type",
            "{\"type\":\"x\"}|/data",
            "{\"type\":\"x\",\"key\":\"\",\"data\":1}|/key",
            "{\"type\":\"x\",\"key\":\"line\\nbreak\",\"data\":1}|/key",
            "{\"type\":\"x\",\"op\":\"upsert\",\"data\":1}|/op",
            "{\"type\":\"x\",\"key\":\"k\",\"op\":\"replace\",\"data\":1}|/op",
            "{\"type\":\"x\",\"data\":1,\"extra\":true}|/extra",
            "[{\"type\":\"x\",\"data\":1}]|/",
            "{\"type\":\"x\",\"data\":\"\\udc00\"}|/data",
    })
    void schemaViolationsName400TheField(String body, String field) {
        String topic = freshTopic("bad");
        problem(post(topic, body), 400, "invalid-event").body("field", equalTo(field));
        assertThat(length(topic)).isZero();
    }

    @Test
    void typeAndKeyLengthLimits() {
        String topic = freshTopic("limits");
        post(topic, "{\"type\":\"" + "t".repeat(128) + "\",\"key\":\"" + "k".repeat(256) + "\",\"data\":1}")
                .statusCode(202);
        problem(post(topic, "{\"type\":\"" + "t".repeat(129) + "\",\"data\":1}"), 400, "invalid-event")
                .body("field", equalTo("/type"));
        problem(post(topic, "{\"type\":\"t\",\"key\":\"" + "k".repeat(257) + "\",\"data\":1}"), 400, "invalid-event")
                .body("field", equalTo("/key"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{", "{\"type\":\"x\",\"data\":1}{}", "{\"type\":\"x\",\"type\":\"y\",\"data\":1}", "",
            "nul"})
    void malformedJsonIs400(String body) {
        problem(post(freshTopic("malformed"), body), 400, "malformed-json");
    }

    @Test
    void invalidUtf8Is400() {
        byte[] body = "{\"type\":\"x\",\"data\":\"?\"}".getBytes(StandardCharsets.US_ASCII);
        body[20] = (byte) 0xFF;
        problem(given().contentType("application/json").body(body).post("/v1/topics/t/events").then(), 400,
                "malformed-json");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-leading-dash", "has space", "a^b", "é", "x*"})
    void badTopicIs400(String topic) {
        problem(post(topic, "{\"type\":\"x\",\"data\":1}"), 400, "invalid-topic");
    }

    @Test
    void topicOf201CharactersIs400() {
        post("a".repeat(200), "{\"type\":\"x\",\"data\":1}").statusCode(202);
        problem(post("a".repeat(201), "{\"type\":\"x\",\"data\":1}"), 400, "invalid-topic");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text/plain", "application/xml", "application/json; charset=iso-8859-1",
            "application/cloudevents-batch+json"})
    void unsupportedMediaTypesAre415(String contentType) {
        problem(given().contentType(contentType).body("{\"type\":\"x\",\"data\":1}".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/t/events").then(), 415, "unsupported-media-type");
    }

    @Test
    void missingContentTypeIs415AndUtf8CharsetIsFine() {
        problem(given().body("{\"type\":\"x\",\"data\":1}".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/t/events").then(), 415, "unsupported-media-type");
        given().contentType("application/json; charset=UTF-8")
                .body("{\"type\":\"x\",\"data\":1}".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/" + freshTopic("utf8") + "/events").then().statusCode(202);
    }

    @Test
    void frameworkErrorsAreProblemsToo() {
        problem(given().get("/v1/topics/t/events").then(), 405, "method-not-allowed");
        problem(given().post("/v1/nowhere").then(), 404, "not-found");
    }

    @Test
    void openApiDescribesTheEndpoints() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/v1/topics/{topic}/events'.post.responses.'202'.description", equalTo("Stored"))
                .body("paths.'/v1/events'.post", notNullValue());
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
