package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class CloudEventsTest extends IngestTestSupport {

    private static ValidatableResponse structured(String topic, String body) {
        return given().contentType("application/cloudevents+json").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then();
    }

    private static RequestSpecification binary(String id) {
        return given().contentType("application/json")
                .header("ce-specversion", "1.0")
                .header("ce-id", id)
                .header("ce-source", "/billing")
                .header("ce-type", "invoice.paid");
    }

    @Test
    void structuredModeMapsTypeSubjectAndData() {
        String topic = freshTopic("ce");
        String id = structured(topic,
                "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/shop\",\"type\":\"order.created\","
                        + "\"subject\":\"o-9\",\"time\":\"2020-01-01T00:00:00Z\",\"datacontenttype\":\"application/json\","
                        + "\"data\":{\"total\":3}}")
                .statusCode(202).body("topic", equalTo(topic)).extract().path("id");
        assertThat(fields(entries(topic).get(0)))
                .isEqualTo(Map.of("type", "order.created", "key", "o-9", "op", "upsert",
                        "data", "{\"total\":3}"));
        assertThat(stored().state(topic).get("o-9")).isEqualTo(id + " {\"total\":3}");
    }

    @Test
    void sourceAndIdDeduplicate() {
        String topic = freshTopic("ce");
        String event = "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/shop\",\"type\":\"t\",\"data\":1}";
        String id = structured(topic, event).statusCode(202).extract().path("id");
        structured(topic, event).statusCode(202).body("id", equalTo(id)).header("Idempotent-Replayed", "true");
        // Same id from another source is another event.
        structured(topic, event.replace("/shop", "/other")).statusCode(202);
        assertThat(length(topic)).isEqualTo(2);
        problem(structured(topic, event.replace("\"data\":1", "\"data\":2")), 409, "idempotency-conflict");
    }

    @Test
    void quiverExtensionsCarryOpAndMustAgreeOnTopic() {
        String topic = freshTopic("ce");
        structured(topic,
                "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"k\",\"data\":1}")
                .statusCode(202);
        structured(topic, "{\"specversion\":\"1.0\",\"id\":\"b\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"k\","
                + "\"quiverop\":\"delete\",\"quivertopic\":\"" + topic + "\"}").statusCode(202);
        assertThat(stored().state(topic)).isEmpty();
        problem(structured(topic, "{\"specversion\":\"1.0\",\"id\":\"c\",\"source\":\"s\",\"type\":\"t\",\"data\":1,"
                + "\"quivertopic\":\"elsewhere\"}"), 400, "invalid-event").body("field", equalTo("/quivertopic"));
        problem(structured(topic, "{\"specversion\":\"1.0\",\"id\":\"d\",\"source\":\"s\",\"type\":\"t\",\"data\":1,"
                + "\"quiverop\":\"delete\"}"), 400, "invalid-event").body("field", equalTo("/quiverop"));
    }

    @Test
    void requiredAttributesAreChecked() {
        String topic = freshTopic("ce");
        problem(structured(topic, "{\"specversion\":\"0.3\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\"}"), 400,
                "invalid-event").body("field", equalTo("/specversion"));
        problem(structured(topic, "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\"}"), 400, "invalid-event")
                .body("field", equalTo("/id"));
        problem(structured(topic, "{\"specversion\":\"1.0\",\"id\":\"a\",\"type\":\"t\"}"), 400, "invalid-event")
                .body("field", equalTo("/source"));
        problem(structured(topic, "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\"}"), 400, "invalid-event")
                .body("field", equalTo("/type"));
        problem(structured(topic,
                "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"\"}"),
                400, "invalid-event").body("field", equalTo("/subject"));
        assertThat(length(topic)).isZero();
    }

    @Test
    void nonJsonDataIs415() {
        String topic = freshTopic("ce");
        problem(structured(topic, "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\","
                + "\"data_base64\":\"AAEC\"}"), 415, "unsupported-media-type");
        problem(structured(topic, "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\","
                + "\"datacontenttype\":\"text/plain\",\"data\":\"x\"}"), 415, "unsupported-media-type");
        problem(binary("a").contentType("text/plain").body("x".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then(), 415, "unsupported-media-type");
    }

    @Test
    void binaryModeReadsHeadersAndBody() {
        String topic = freshTopic("ce-bin");
        String id = binary("b1").header("ce-subject", "inv-%E2%9C%93").header("ce-quiverop", "upsert")
                .body("{\"paid\":true}".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then().statusCode(202).extract().path("id");
        assertThat(fields(entries(topic).get(0))).isEqualTo(Map.of("type", "invoice.paid", "key", "inv-\u2713", "op",
                "upsert", "data", "{\"paid\":true}"));
        binary("b1").header("ce-subject", "inv-%E2%9C%93").body("{\"paid\":true}".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then().statusCode(202).body("id", equalTo(id));
        assertThat(length(topic)).isEqualTo(1);

        problem(given().contentType("application/json").header("ce-specversion", "1.0").header("ce-id", "x")
                .header("ce-source", "s").body("{}".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then(), 400, "invalid-event")
                .body("field", equalTo("header:ce-type"));
        problem(binary("c").header("ce-subject", "bad%ZZ").body("1".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then(), 400, "invalid-event")
                .body("field", equalTo("header:ce-subject"));
    }

    @Test
    void binaryModeWithEmptyBodyHasNullData() {
        String topic = freshTopic("ce-bin");
        binary("d1").header("ce-subject", "k").header("ce-quiverop", "delete")
                .post("/v1/topics/{topic}/events", topic).then().statusCode(202);
        assertThat(fields(entries(topic).get(0))).containsEntry("data", "null").containsEntry("op", "delete");
    }
}
