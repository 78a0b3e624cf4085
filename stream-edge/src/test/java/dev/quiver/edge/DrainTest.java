package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.edge.connection.Drainer;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
@TestProfile(DrainTest.OwnApp.class)
class DrainTest extends EdgeTestSupport {

    /** Draining is one-way: this test gets an application of its own. */
    public static class OwnApp implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.edge.drain-window", "2s");
        }
    }

    @Inject
    Drainer drainer;

    @Test
    void drainTellsEveryClientToReconnectSpreadOverTheWindowAndRefusesNewOnes() {
        String topic = freshTopic("drain");
        List<SseClient> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clients.add(SseClient.open(stream("topic=" + topic)));
        }
        WsTestClient ws = new WsTestClient(root);
        given().get("/q/health/ready").then().statusCode(200);
        long start = System.nanoTime();
        drainer.drain();
        given().get("/q/health/ready").then().statusCode(503);
        try (SseClient refused = SseClient.open(stream("topic=" + topic))) {
            assertThat(refused.status()).isEqualTo(503);
        }
        List<Long> toldAt = new ArrayList<>();
        for (SseClient client : clients) {
            SseClient.Frame frame = client.next(WAIT);
            toldAt.add((frame.at() - start) / 1_000_000);
            assertThat(frame.event()).isEqualTo("reconnect");
            assertThat(frame.data()).contains("drain");
        }
        for (SseClient client : clients) {
            long deadline = System.currentTimeMillis() + 5000;
            while (!client.ended() && System.currentTimeMillis() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(client.ended()).isTrue();
            client.close();
        }
        assertThat(ws.awaitClose(WAIT).code()).isEqualTo(1012);
        // Spread over 80% of the 2 s window, not all at once.
        toldAt.sort(null);
        assertThat(toldAt.get(toldAt.size() - 1) - toldAt.get(0)).isGreaterThan(600);
        assertThat(toldAt.get(toldAt.size() - 1)).isLessThan(2500);
    }
}
