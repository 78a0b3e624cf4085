package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.RedisTestResource;

/** The promise that Redis cost grows with events, never with connections, checked through the pod's own counters. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class FanoutCostTest extends EdgeTestSupport {

    private static double metric(String body, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(body);
        double sum = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(1));
        }
        return sum;
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void fiftySubscribersCostTheSameRedisReadsAsOne() {
        String topic = freshTopic("cost");
        List<SseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                clients.add(SseClient.open(stream("topic=" + topic)));
            }
            String before = metrics();
            publishMany(topic, 0, 20);
            for (SseClient client : clients) {
                assertThat(client.take(20, WAIT)).hasSize(20);
            }
            String after = metrics();
            double read = metric(after, "quiver_edge_events_read_total")
                    - metric(before, "quiver_edge_events_read_total");
            double delivered = metric(after, "quiver_edge_deliveries_total{transport=\"sse\"}")
                    - metric(before, "quiver_edge_deliveries_total{transport=\"sse\"}");
            double liveReads = metric(after, "quiver_edge_redis_reads_total{kind=\"live\"}")
                    - metric(before, "quiver_edge_redis_reads_total{kind=\"live\"}");
            double replayReads = metric(after, "quiver_edge_redis_reads_total{kind=\"replay\"}")
                    - metric(before, "quiver_edge_redis_reads_total{kind=\"replay\"}");
            assertThat(read).isEqualTo(20);
            assertThat(delivered).isEqualTo(1000);
            // At most one XREAD per event (usually fewer: events arriving together are read together).
            assertThat(liveReads).isLessThanOrEqualTo(21);
            assertThat(replayReads).isZero();
            assertThat(after).contains("quiver_edge_connections{transport=\"sse\"} 50.0");
            assertThat(after).contains("quiver_edge_fanout_lag_seconds_count");
        } finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void clientsResumingTogetherFromOneCursorEachGetEveryMissedEventOnce() throws Exception {
        String topic = freshTopic("storm");
        publishMany(topic, 0, 20);
        String cursor;
        try (SseClient first = SseClient.open(stream("topic=" + topic + "&since=-"))) {
            cursor = first.take(20, WAIT).get(4).id();
        }
        // Resumes arriving together, as after a pod's death: their catch-up reads are shared (SharedHistory); each
        // still gets exactly the events after its cursor, in order.
        ExecutorService pool = Executors.newFixedThreadPool(25);
        List<Future<List<SseClient.Frame>>> resumed = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                resumed.add(pool.submit(() -> {
                    try (SseClient client = SseClient.open(stream("topic=" + topic),
                            Map.of("Last-Event-ID", cursor))) {
                        return client.take(15, WAIT);
                    }
                }));
            }
            for (Future<List<SseClient.Frame>> frames : resumed) {
                List<SseClient.Frame> got = frames.get(30, TimeUnit.SECONDS);
                assertThat(got).extracting(SseClient.Frame::data).allMatch(data -> data.contains("\"topic\""));
                assertThat(got).extracting(frame -> frame.data().replaceAll(".*\"data\":(\\d+).*", "$1"))
                        .containsExactly("5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18",
                                "19");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
