package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

/** The promise that Redis cost grows with events, never with connections, checked through the pod's own counters. */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
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
        resumeTogether(client -> 4);
    }

    @Test
    void clientsResumingTogetherFromTheirOwnCursorsEachGetExactlyWhatFollowsTheirs() throws Exception {
        // Catch-up reads of different ranges of one topic at the same time, some shared (SharedHistory), some not.
        resumeTogether(client -> client % 19);
    }

    /**
     * 50 resumes arriving together, as after a pod's death; client {@code i} resumes after the event at
     * {@code cursorIndex(i)} of 20. Each gets exactly the events after its cursor, in order, then the next live one.
     */
    private void resumeTogether(IntUnaryOperator cursorIndex) throws Exception {
        String topic = freshTopic("storm");
        publishMany(topic, 0, 20);
        List<String> cursors;
        try (SseClient first = SseClient.open(stream("topic=" + topic + "&since=-"))) {
            cursors = first.take(20, WAIT).stream().map(SseClient.Frame::id).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch caughtUp = new CountDownLatch(50);
        CountDownLatch published = new CountDownLatch(1);
        List<Future<List<String>>> resumed = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                int at = cursorIndex.applyAsInt(i);
                resumed.add(pool.submit(() -> {
                    try (SseClient client = SseClient.open(stream("topic=" + topic),
                            Map.of("Last-Event-ID", cursors.get(at)))) {
                        List<SseClient.Frame> got = new ArrayList<>(client.take(19 - at, WAIT));
                        caughtUp.countDown();
                        published.await(30, TimeUnit.SECONDS);
                        got.addAll(client.take(1, WAIT));
                        return got.stream().map(frame -> frame.data().replaceAll(".*\"data\":(\\d+).*", "$1"))
                                .toList();
                    }
                }));
            }
            assertThat(caughtUp.await(30, TimeUnit.SECONDS)).isTrue();
            publishMany(topic, 20, 1);
            published.countDown();
            for (int i = 0; i < 50; i++) {
                List<String> expected = IntStream.rangeClosed(cursorIndex.applyAsInt(i) + 1, 20)
                        .mapToObj(Integer::toString).toList();
                assertThat(resumed.get(i).get(30, TimeUnit.SECONDS)).as("client %d", i)
                        .containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
