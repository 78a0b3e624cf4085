package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.contract.cursor.CompositeCursor;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.testkit.RedisTestResource;

/**
 * The Pub/Sub live reader as it runs by default, without the periodic epoch check (the test profile turns it on for
 * the other suites). What it costs Redis, counted by Redis itself ({@code INFO commandstats}): joining or leaving a
 * topic is one subscription command (and one small read to join), however many topics the pod already watches; an
 * event costs the pod no Redis command at all. And a history deleted behind its back still resets subscribers, at the
 * topic's next event.
 */
@QuarkusTest
@TestProfile(LiveCostTest.NoEpochChecks.class)
@WithTestResource(RedisTestResource.class)
class LiveCostTest extends EdgeTestSupport {

    /** The production default: no periodic epoch check. */
    public static class NoEpochChecks implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.edge.epoch-check", "0s");
        }
    }

    private static final int CONNECTIONS = 6;
    private static final int TOPICS_PER_CONNECTION = 50;

    private long calls(String command) {
        String stats = (String) redis.call("INFO", "commandstats");
        Matcher matcher = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    private Map<String, Long> edgeCommands() {
        return Map.of("ssubscribe", calls("ssubscribe"), "sunsubscribe", calls("sunsubscribe"), "hmget",
                calls("hmget"), "xread", calls("xread"), "xrange", calls("xrange"), "evalsha", calls("evalsha"));
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String command) {
        return after.get(command) - before.get(command);
    }

    /**
     * HMGETs the pod sent: commandstats also counts those run inside scripts, and every call of the append script
     * (one topic each here) reads its topic's facts with one.
     */
    private static long podHmgets(Map<String, Long> before, Map<String, Long> after) {
        return delta(before, after, "hmget") - delta(before, after, "evalsha");
    }

    private static double metric(String name) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(body);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    /** Opens connections watching 300 topics and waits until each is live. */
    private List<SseClient> watchMany(List<String> topics) {
        List<SseClient> clients = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            StringBuilder query = new StringBuilder();
            String last = null;
            for (int t = 0; t < TOPICS_PER_CONNECTION; t++) {
                last = freshTopic("watched");
                topics.add(last);
                query.append(query.isEmpty() ? "" : "&").append("topic=").append(last);
            }
            SseClient client = SseClient.open(stream(query.toString()));
            clients.add(client);
            publish(last, "ready");
            assertThat(client.take(1, WAIT)).hasSize(1);
        }
        return clients;
    }

    @Test
    void joiningOrLeavingATopicCostsOneSubscriptionWhateverThePodWatches() {
        List<SseClient> clients = watchMany(new ArrayList<>());
        try {
            Map<String, Long> before = edgeCommands();
            String topic = freshTopic("joined");
            try (SseClient client = SseClient.open(stream("topic=" + topic))) {
                publish(topic, "1");
                assertThat(client.take(1, WAIT)).hasSize(1);
            }
            String channel = new TopicKeys(topic).live();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                @SuppressWarnings("unchecked")
                List<Object> counts = (List<Object>) redis.call("PUBSUB", "SHARDNUMSUB", channel);
                return ((Long) counts.get(1)) == 0;
            });
            Map<String, Long> after = edgeCommands();
            assertThat(delta(before, after, "ssubscribe")).as("subscriptions").isEqualTo(1);
            assertThat(delta(before, after, "sunsubscribe")).as("unsubscriptions").isEqualTo(1);
            assertThat(podHmgets(before, after)).as("position reads").isEqualTo(1);
            assertThat(delta(before, after, "xread")).isZero();
            assertThat(delta(before, after, "xrange")).isZero();
            // The one publish; the edge read no history.
            assertThat(delta(before, after, "evalsha")).isEqualTo(1);
        } finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void anEventCostsThePodNoRedisCommandWhateverItWatches() {
        List<String> topics = new ArrayList<>();
        List<SseClient> clients = watchMany(topics);
        try {
            double readsBefore = metric("quiver_edge_redis_reads_total{kind=\"live\"}")
                    + metric("quiver_edge_redis_reads_total{kind=\"replay\"}");
            double eventsBefore = metric("quiver_edge_events_read_total");
            Map<String, Long> before = edgeCommands();
            String topic = topics.get(0);
            publishMany(topic, 0, 20);
            assertThat(clients.get(0).take(20, WAIT)).hasSize(20);
            Map<String, Long> after = edgeCommands();
            assertThat(delta(before, after, "evalsha")).as("the publishes only").isEqualTo(20);
            for (String command : List.of("ssubscribe", "sunsubscribe", "xread", "xrange")) {
                assertThat(delta(before, after, command)).as(command).isZero();
            }
            assertThat(podHmgets(before, after)).as("hmget").isZero();
            assertThat(metric("quiver_edge_redis_reads_total{kind=\"live\"}")
                    + metric("quiver_edge_redis_reads_total{kind=\"replay\"}")).isEqualTo(readsBefore);
            assertThat(metric("quiver_edge_events_read_total") - eventsBefore).isEqualTo(20);
        } finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void aHistoryDeletedWithoutADisconnectResetsSubscribersRightBeforeItsNextEvent() {
        String topic = freshTopic("deleted");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            publish(topic, "1");
            assertThat(client.take(1, WAIT)).hasSize(1);
            TopicKeys keys = new TopicKeys(topic);
            redis.call("DEL", keys.stream(), keys.meta(), keys.state(), keys.index());
            String id = publish(topic, "2");
            SseClient.Frame reset = client.next(WAIT);
            assertThat(reset.event()).isEqualTo("reset");
            assertThat(reset.data()).contains("\"reason\":\"unknown\"");
            SseClient.Frame next = client.next(WAIT);
            assertThat(next.event()).isNull();
            assertThat(next.data()).contains("\"id\":\"" + id + "\"", "\"data\":2");
            assertThat(next.id())
                    .isEqualTo(CompositeCursor.single(topic, new TopicPosition(epoch(topic), StreamId.parse(id))));
        }
    }
}
