package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
@TestProfile(SlowConsumerTest.SmallBuffer.class)
class SlowConsumerTest extends EdgeTestSupport {

    /**
     * A 16 KiB outbound buffer, so a client that stops reading overflows it quickly; and pings far apart: a stalled
     * WebSocket client answers no ping either, and with the tests' 1 s heartbeat the pong deadline (4408) could close it
     * before the socket's buffers fill (4008) on a loaded machine (seen once in CI).
     */
    public static class SmallBuffer implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.edge.slow-consumer-buffer", "16K", "quiver.edge.heartbeat", "60s");
        }
    }

    @Test
    void clientThatStopsReadingIsClosedWithSlowSignalAndOthersAreUnharmed() {
        String topic = freshTopic("slow");
        String blob = "\"" + "x".repeat(8000) + "\"";
        try (RawHttp stalled = RawHttp.get(root, "/v1/stream?topic=" + topic, "127.0.0.1", 4096);
                SseClient healthy = SseClient.open(stream("topic=" + topic))) {
            assertThat(stalled.readUntil("retry:")).contains("200");
            for (int i = 0; i < 400; i++) {
                publish(topic, blob);
            }
            // The healthy client gets everything.
            assertThat(healthy.take(400, WAIT)).hasSize(400);
            String everything = stalled.readAll();
            assertThat(everything).contains("event: slow");
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("quiver_edge_slow_consumer_closes_total"));
    }

    @Test
    void webSocketClientThatStopsReadingIsClosed4008() throws InterruptedException {
        String topic = freshTopic("ws-slow");
        String blob = "\"" + "x".repeat(8000) + "\"";
        try (RawWs stalled = new RawWs(root, 4096)) {
            stalled.sendText("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"s\"}");
            Thread.sleep(300);
            for (int i = 0; i < 400; i++) {
                publish(topic, blob);
            }
            assertThat(stalled.awaitCloseCode()).isEqualTo(4008);
        }
    }
}
