package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

/** Event data is stored exactly as sent on every HTTP path (#15 defects 1 and 3). */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class DataFidelityTest extends IngestTestSupport {

    private static final String[] DATA = {"1e2147483648", "1e-2147483649", "0e2147483648", "1e99999999999999999999",
            "[1.10,1e5,1.5E-3,-0,2.50e0]", "[1.10,1e5,1E400,-1e-400,100000000000000000000000000000000000001.5]",
            "{\"s\":\"\\u00e9\\/\\ud83d\\ude00\",\"n\":-0.0}"};

    private String stored(String topic) {
        return fields(entries(topic).get(entries(topic).size() - 1)).get("data");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void singlePlainEvent(int i) {
        String topic = freshTopic("exact");
        post(topic, "{\"type\":\"t\", \"data\": " + DATA[i] + " }").statusCode(202);
        assertThat(stored(topic)).isEqualTo(DATA[i]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void batchItems(int i) {
        String topic = freshTopic("exact");
        json("[{\"topic\":\"" + topic + "\",\"type\":\"t\",\"data\":" + DATA[i] + "}]").post("/v1/events").then()
                .statusCode(202);
        assertThat(stored(topic)).isEqualTo(DATA[i]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void structuredAndBatchCloudEvents(int i) {
        String topic = freshTopic("exact");
        String event = "{\"specversion\":\"1.0\",\"id\":\"e" + i
                + "\",\"source\":\"/s\",\"type\":\"t\",\"quivertopic\":\""
                + topic + "\",\"data\":" + DATA[i] + "}";
        given().contentType("application/cloudevents+json").body(event.getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then().statusCode(202);
        assertThat(stored(topic)).isEqualTo(DATA[i]);

        String other = freshTopic("exact");
        given().contentType("application/cloudevents-batch+json")
                .body(("[" + event.replace(topic, other) + "]").getBytes(StandardCharsets.UTF_8))
                .post("/v1/events").then().statusCode(202);
        assertThat(stored(other)).isEqualTo(DATA[i]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void binaryCloudEvent(int i) {
        String topic = freshTopic("exact");
        given().contentType("application/json").header("ce-specversion", "1.0").header("ce-id", "b" + i)
                .header("ce-source", "/s").header("ce-type", "t")
                .body((" " + DATA[i] + "\n").getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then().statusCode(202);
        assertThat(stored(topic)).isEqualTo(DATA[i]);
    }
}
