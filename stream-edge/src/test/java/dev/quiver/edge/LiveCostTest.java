package dev.quiver.edge;

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
import dev.quiver.testkit.BrokerTestResource;

/**
 * The Pub/Sub live reader as it runs by default, without the periodic epoch check (the test profile turns it on for
 * the other suites). What it costs Redis, counted by Redis itself ({@code INFO commandstats}): joining or leaving a
 * topic is one subscription command (and one small read to join), however many topics the pod already watches; an
 * event costs the pod no Redis command at all. And a history deleted behind its back still resets subscribers, at the
 * topic's next event.
 */
@QuarkusTest
@TestProfile(LiveCostTest.NoEpochChecks.class)
@WithTestResource(BrokerTestResource.class)
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
    void aResumeWithinTheEventsThePodHoldsCostsNoRedisRead() {
        String topic = freshTopic("held");
        // A subscriber keeps the topic followed, as in a reconnect storm where other clients stay.
        try (SseClient staying = SseClient.open(stream("topic=" + topic))) {
            publish(topic, "ready");
            assertThat(staying.take(1, WAIT)).hasSize(1);
            List<String> ids = publishMany(topic, 0, 5);
            List<SseClient.Frame> frames = staying.take(5, WAIT);
            double memoryBefore = metric("quiver_edge_recent_replays_total");
            double redisBefore = metric("quiver_edge_redis_reads_total{kind=\"replay\"}");
            Map<String, Long> before = edgeCommands();
            try (SseClient resumed = SseClient.open(stream("topic=" + topic),
                    Map.of("Last-Event-ID", frames.get(1).id()))) {
                List<SseClient.Frame> replayed = resumed.take(3, WAIT);
                assertThat(replayed).extracting(SseClient.Frame::id).containsExactly(frames.get(2).id(),
                        frames.get(3).id(), frames.get(4).id());
                assertThat(replayed.get(0).data()).contains("\"id\":\"" + ids.get(2) + "\"");
                String live = publish(topic, "after");
                assertThat(resumed.next(WAIT).data()).contains("\"id\":\"" + live + "\"");
            }
            Map<String, Long> after = edgeCommands();
            assertThat(delta(before, after, "evalsha")).as("the one publish; no history read").isEqualTo(1);
            assertThat(delta(before, after, "xrange")).isZero();
            assertThat(podHmgets(before, after)).as("no retention check").isZero();
            assertThat(metric("quiver_edge_recent_replays_total") - memoryBefore).isEqualTo(1);
            assertThat(metric("quiver_edge_redis_reads_total{kind=\"replay\"}")).isEqualTo(redisBefore);
        }
    }

    @Test
    void aResumeOlderThanWhatThePodHoldsIsReadFromRedisExactly() {
        String topic = freshTopic("older");
        try (SseClient staying = SseClient.open(stream("topic=" + topic))) {
            publish(topic, "ready");
            assertThat(staying.take(1, WAIT)).hasSize(1);
            // More than the 64 events a pod holds per topic by default.
            publishBatch(topic, 80);
            List<SseClient.Frame> frames = staying.take(80, WAIT);
            double memoryBefore = metric("quiver_edge_recent_replays_total");
            double redisBefore = metric("quiver_edge_redis_reads_total{kind=\"replay\"}");
            try (SseClient resumed = SseClient.open(stream("topic=" + topic),
                    Map.of("Last-Event-ID", frames.get(0).id()))) {
                assertThat(resumed.take(79, WAIT)).extracting(SseClient.Frame::id)
                        .containsExactlyElementsOf(frames.subList(1, 80).stream().map(SseClient.Frame::id).toList());
            }
            assertThat(metric("quiver_edge_recent_replays_total")).isEqualTo(memoryBefore);
            assertThat(metric("quiver_edge_redis_reads_total{kind=\"replay\"}")).isGreaterThan(redisBefore);
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
