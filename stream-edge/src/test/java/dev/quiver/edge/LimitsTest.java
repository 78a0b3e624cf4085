package dev.quiver.edge;

import static org.assertj.core.api.Assertions.assertThat;

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
@TestProfile(LimitsTest.Small.class)
class LimitsTest extends EdgeTestSupport {

    /** A pod for three connections, two per client. */
    public static class Small implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.edge.max-connections", "3", "quiver.edge.max-connections-per-client", "2");
        }
    }

    @Test
    void perClientThenPerPodLimits() {
        String path = "/v1/stream?topic=" + freshTopic("limits");
        try (RawHttp a = RawHttp.get(root, path, "127.0.0.1", 0);
                RawHttp b = RawHttp.get(root, path, "127.0.0.1", 0)) {
            assertThat(a.status()).isEqualTo(200);
            assertThat(b.status()).isEqualTo(200);
            try (RawHttp third = RawHttp.get(root, path, "127.0.0.1", 0)) {
                assertThat(third.status()).isEqualTo(429);
                assertThat(third.readUntil("}")).contains("urn:quiver:problem:too-many-connections");
            }
            try (RawHttp other = RawHttp.get(root, path, "127.0.0.2", 0)) {
                assertThat(other.status()).isEqualTo(200);
                try (RawHttp full = RawHttp.get(root, path, "127.0.0.3", 0)) {
                    assertThat(full.status()).isEqualTo(503);
                    String rest = full.readUntil("}");
                    assertThat(rest).containsIgnoringCase("retry-after: 1")
                            .contains("urn:quiver:problem:pod-unavailable");
                }
            }
        }
    }

    @Test
    void webSocketOverTheClientLimitCloses4029() {
        try (WsTestClient one = new WsTestClient(root);
                WsTestClient two = new WsTestClient(root);
                WsTestClient three = new WsTestClient(root)) {
            assertThat(three.awaitClose(WAIT).code()).isEqualTo(4029);
            one.send("{\"op\":\"ping\",\"ref\":\"still-fine\"}");
            assertThat(one.nextOp("pong", WAIT)).isNotNull();
            assertThat(two.closed).isNotDone();
        }
    }
}
