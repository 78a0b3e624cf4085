package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class ObservabilityTest extends IngestTestSupport {

    @Test
    void metricsCountEventsLatencyPayloadAndRejectsWithoutTopicLabels() {
        String topic = freshTopic("metrics-secret-topic");
        post(topic, "{\"type\":\"x\",\"data\":1}").statusCode(202);
        post(topic, "{\"type\":\"\",\"data\":1}").statusCode(400);

        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("quiver_ingest_events_total{format=\"json\"}"))
                .body(containsString("quiver_ingest_request_seconds_count{endpoint=\"single\",status=\"2xx\"}"))
                .body(containsString("quiver_ingest_payload_bytes_count{endpoint=\"single\"}"))
                .body(containsString("quiver_ingest_rejects_total{reason=\"invalid-event\"}"))
                .body(not(containsString("metrics-secret-topic")));
    }

    @Test
    void healthEndpointsAnswer() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200).body(containsString(nats == null ? "Redis" : "NATS"));
    }
}
