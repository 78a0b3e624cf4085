package dev.quiver.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;
import dev.quiver.testkit.TestTokens;

/**
 * A flood of bad clients against the production connection-attempt rate (20/s, burst 40 per address). It has an
 * application of its own: with the limit on, the other security tests, all from 127.0.0.1, would race it.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
@TestProfile(FloodTest.ProductionRate.class)
class FloodTest extends EdgeTestSupport {

    /** The security suite's settings with the production connect rate. */
    public static class ProductionRate extends SecurityProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("quiver.edge.connect-rate.per-second", "20");
            config.put("quiver.edge.connect-rate.burst", "40");
            return config;
        }
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    /**
     * The flood from another address: 1000 rapid attempts with bad credentials, slow-header sockets and a silent
     * socket. Each attempt is refused (401, or 429 once the address is over its attempt rate); the silent socket is
     * closed at the idle timeout; and the legitimate stream, opened before, receives every event published meanwhile.
     */
    @Test
    void aFloodOfBadClientsDoesNotTouchALegitimateOne() throws Exception {
        String topic = freshTopic("orders");
        String token = TestTokens.token("legit").subscribe("orders.*").hs256();
        try (SseClient legit = SseClient.open(stream("topic=" + topic), Map.of("Authorization", bearer(token)))) {
            assertThat(legit.status()).isEqualTo(200);
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    Socket socket = connectFrom("127.0.0.8");
                    socket.getOutputStream().write("GET /v1/stream?topic=".getBytes(StandardCharsets.US_ASCII));
                    slow.add(socket);
                }
                Socket silent = connectFrom("127.0.0.8");
                int published = 0;
                int refused401 = 0;
                int refused429 = 0;
                String forged = bearer(TestTokens.token("eve").subscribe("*").hs256(
                        "another-secret-that-is-long-enough-0123456789"));
                for (int i = 0; i < 1000; i++) {
                    String status = rawExchangeFrom("127.0.0.9", "GET /v1/poll?timeout=0&topic=" + topic
                            + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + forged + "\r\nConnection: close\r\n\r\n");
                    if (status.startsWith("HTTP/1.1 401")) {
                        refused401++;
                    } else if (status.startsWith("HTTP/1.1 429")) {
                        refused429++;
                    }
                    if (i % 50 == 0) {
                        publish(topic, Integer.toString(published++));
                        for (Socket socket : slow) {
                            socket.getOutputStream().write('a');
                        }
                    }
                }
                assertThat(refused401 + refused429).isEqualTo(1000);
                assertThat(refused401).as("the first attempts are judged on their credentials").isGreaterThan(0);
                assertThat(refused429).as("then the address is over its attempt rate").isGreaterThan(0);
                List<SseClient.Frame> frames = legit.take(published, WAIT);
                for (int i = 0; i < published; i++) {
                    assertThat(frames.get(i).data()).contains("\"data\":" + i);
                }
                // The silent socket is closed by the idle timeout (3 s here).
                silent.setSoTimeout(10_000);
                assertThat(silent.getInputStream().read()).isEqualTo(-1);
                silent.close();
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }
}
