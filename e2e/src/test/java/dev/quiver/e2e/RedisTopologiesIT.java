package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.quiver.contract.redis.KeySlot;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.contract.security.PublisherKeys;
import dev.quiver.testkit.RedisCluster;
import dev.quiver.testkit.RedisSentinelGroup;
import dev.quiver.testkit.RedisServer;

/**
 * event-ingest and snapshot-api, packaged, on a real Redis Cluster and a real Sentinel group: writes land whole on the
 * node that owns each topic, reads find them, and a killed primary costs 503s with {@code Retry-After} (never a 500)
 * until its replica takes over, after which every acknowledged event is there. Two stream-edge pods on a cluster
 * deliver every acknowledged event exactly once and in order through a reshard of a watched topic's slot and a
 * primary's failover; on Sentinel an edge streams through the failover too, and on a standalone Redis through a
 * restart.
 */
class RedisTopologiesIT {
    // The helpers below (starting services on a broker, publishing through a failover, checking what a client got)
    // are shared with NatsFailoverIT.

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String API_KEY = "e2e-publisher-key-0123456789abcdefghijkl";
    private static final Pattern DATA = Pattern.compile("\"data\":(\\d+)");

    @Test
    void ingestAndSnapshotsOnARedisClusterSurviveAPrimaryFailover() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1)) {
            Map<String, String> redis = Map.of("quarkus.redis.client-type", "cluster", "quarkus.redis.hosts",
                    cluster.hosts());
            try (ServiceProcess ingest = ingest("ingest-cluster", redis);
                    ServiceProcess snapshot = snapshot("snapshot-cluster", redis)) {
                // Topics on every primary: each one's keys and channel live in one slot, on one node.
                List<String> topics = topicsOnEveryPrimary(cluster);
                for (String topic : topics) {
                    for (int n = 0; n < 5; n++) {
                        assertThat(post(ingest, topic, n).statusCode()).isEqualTo(202);
                    }
                    assertThat(events(snapshot, topic)).containsExactly(0, 1, 2, 3, 4);
                }

                String victim = topics.get(0);
                RedisServer primary = cluster.primaryOf(new TopicKeys(victim).stream());
                // Replication is asynchronous: the five events must be on the replica before the kill (what
                // wait-replicas will offer ingest's clients).
                primary.awaitReplicated(1, Duration.ofSeconds(5));
                primary.kill();
                List<Integer> acknowledged = publishThroughFailover(ingest, victim, 100, 5, true);
                cluster.awaitHealthy(Duration.ofSeconds(30));
                List<Integer> expected = new ArrayList<>(List.of(0, 1, 2, 3, 4));
                expected.addAll(acknowledged);
                assertThat(events(snapshot, victim)).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void allThreeServicesOnASentinelGroupSurviveAPrimaryFailover() throws Exception {
        try (RedisSentinelGroup group = RedisSentinelGroup.start(1, 3)) {
            Map<String, String> redis = Map.of("quarkus.redis.client-type", "sentinel", "quarkus.redis.hosts",
                    group.hosts(), "quarkus.redis.master-name", RedisSentinelGroup.MASTER_NAME, "quarkus.redis.role",
                    "master");
            Map<String, String> edgeRedis = new HashMap<>(redis);
            edgeRedis.putAll(Map.of("quarkus.redis.reader.client-type", "sentinel", "quarkus.redis.reader.hosts",
                    group.hosts(), "quarkus.redis.reader.master-name", RedisSentinelGroup.MASTER_NAME,
                    "quarkus.redis.reader.role", "master"));
            String topic = "sentinel.orders";
            try (ServiceProcess ingest = ingest("ingest-sentinel", redis);
                    ServiceProcess snapshot = snapshot("snapshot-sentinel", redis);
                    ServiceProcess edge = edge("edge-sentinel", edgeRedis);
                    // The second edge sets only the shared client: its live reader follows that topology.
                    ServiceProcess edgeB = edge("edge-sentinel-b", redis);
                    // From the start of the topic's history ("-"): a stream "live from now" could open after the
                    // first publish and rightly miss it. One client per pod, each falling over to the other.
                    FailoverSseClient client = new FailoverSseClient(List.of(query -> edge.uri("/v1/stream?" + query),
                            query -> edgeB.uri("/v1/stream?" + query)), "topic=" + topic + "&since=-");
                    FailoverSseClient clientB = new FailoverSseClient(
                            List.of(query -> edgeB.uri("/v1/stream?" + query),
                                    query -> edge.uri("/v1/stream?" + query)),
                            "topic=" + topic + "&since=-")) {
                for (int n = 0; n < 5; n++) {
                    assertThat(post(ingest, topic, n).statusCode()).isEqualTo(202);
                }
                assertThat(events(snapshot, topic)).containsExactly(0, 1, 2, 3, 4);

                RedisServer primary = group.primary();
                primary.awaitReplicated(1, Duration.ofSeconds(5));
                primary.kill();
                List<Integer> acknowledged = publishThroughFailover(ingest, topic, 100, 5, true);
                group.awaitFailover(primary, Duration.ofSeconds(30));
                List<Integer> expected = new ArrayList<>(List.of(0, 1, 2, 3, 4));
                expected.addAll(acknowledged);
                assertThat(events(snapshot, topic)).containsExactlyElementsOf(expected);

                // The edges' streams went through the failover on their own: every acknowledged event once, in order.
                assertDeliveredOnceInOrder(client, expected, "client on the first edge");
                assertDeliveredOnceInOrder(clientB, expected, "client on the second edge");
            }
        }
    }

    @Test
    void twoEdgesOnARedisClusterDeliverEverythingThroughAReshardAndAFailover() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1)) {
            Map<String, String> redis = Map.of("quarkus.redis.client-type", "cluster", "quarkus.redis.hosts",
                    cluster.hosts());
            List<String> topics = topicsOnEveryPrimary(cluster);
            Map<String, List<Integer>> acknowledged = new HashMap<>();
            List<FailoverSseClient> clients = new ArrayList<>();
            List<String> watched = new ArrayList<>();
            try (ServiceProcess ingest = ingest("ingest-cluster-live", redis);
                    ServiceProcess edgeA = edge("edge-cluster-a", redis);
                    ServiceProcess edgeB = edge("edge-cluster-b", redis)) {
                for (String topic : topics) {
                    acknowledged.put(topic, new ArrayList<>());
                    // One client per topic on each pod, each falling over to the other pod.
                    clients.add(new FailoverSseClient(List.of(q -> edgeA.uri("/v1/stream?" + q),
                            q -> edgeB.uri("/v1/stream?" + q)), "topic=" + topic + "&since=-"));
                    clients.add(new FailoverSseClient(List.of(q -> edgeB.uri("/v1/stream?" + q),
                            q -> edgeA.uri("/v1/stream?" + q)), "topic=" + topic + "&since=-"));
                    watched.add(topic);
                    watched.add(topic);
                }
                // Publish and subscribe on every primary.
                for (String topic : topics) {
                    acknowledged.get(topic).addAll(publishThroughFailover(ingest, topic, 0, 5, false));
                }

                // Reshard: the second topic's slot moves to the third topic's primary while it is being written.
                String moved = topics.get(1);
                int slot = KeySlot.of(new TopicKeys(moved).stream());
                RedisServer target = cluster.primaryOf(KeySlot.of(new TopicKeys(topics.get(2)).stream()));
                AtomicBoolean stop = new AtomicBoolean();
                CompletableFuture<List<Integer>> steady = CompletableFuture
                        .supplyAsync(() -> publishUntil(ingest, moved, 10, stop));
                Thread.sleep(300);
                cluster.moveSlot(slot, target);
                assertThat(cluster.primaryOf(slot).port()).isEqualTo(target.port());
                Thread.sleep(300);
                stop.set(true);
                List<Integer> duringReshard = steady.get(60, TimeUnit.SECONDS);
                assertThat(duringReshard).as("events written during the reshard").isNotEmpty();
                acknowledged.get(moved).addAll(duringReshard);

                // Failover: the first topic's primary is SIGKILLed while events keep coming.
                String victim = topics.get(0);
                RedisServer primary = cluster.primaryOf(new TopicKeys(victim).stream());
                primary.awaitReplicated(1, Duration.ofSeconds(5));
                primary.kill();
                // A batch over the dead primary's topic and a live one: each topic is written on its own, and the 503
                // says which were; the retry with the same key writes the rest once the replica took over.
                String alive = topics.get(2);
                String batch = "[{\"topic\":\"" + victim + "\",\"type\":\"n\",\"data\":300},"
                        + "{\"topic\":\"" + alive + "\",\"type\":\"n\",\"data\":300}]";
                int partial = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (true) {
                    assertThat(System.nanoTime()).as("batch acknowledged in time").isLessThan(deadline);
                    HttpResponse<String> response = postBatch(ingest, batch, "batch-300");
                    if (response.statusCode() == 202) {
                        break;
                    }
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                    assertThat(response.headers().firstValue("Retry-After")).isPresent();
                    assertThat(response.body()).contains("\"failed\":[\"" + victim + "\"")
                            .containsAnyOf("\"written\":[]", "\"written\":[\"" + alive + "\"]");
                    partial++;
                    Thread.sleep(200);
                }
                assertThat(partial).as("the batch met the failover").isPositive();
                acknowledged.get(victim).add(300);
                acknowledged.get(alive).add(300);
                acknowledged.get(victim).addAll(publishThroughFailover(ingest, victim, 100, 5, false));
                cluster.awaitHealthy(Duration.ofSeconds(30));

                // One more event on every topic, after everything.
                for (String topic : topics) {
                    acknowledged.get(topic).addAll(publishThroughFailover(ingest, topic, 200, 1, false));
                }
                for (int i = 0; i < clients.size(); i++) {
                    assertDeliveredOnceInOrder(clients.get(i), acknowledged.get(watched.get(i)),
                            watched.get(i) + " client " + i);
                }
            } finally {
                clients.forEach(FailoverSseClient::close);
            }
        }
    }

    @Test
    void twoEdgesCatchUpAfterARedisRestart() throws Exception {
        // Redis with its append-only file: a restart keeps the history, and the edges must resume it exactly.
        try (RedisServer server = RedisServer.start(RedisServer.executable(), RedisServer.freePort(),
                List.of("--appendonly", "yes", "--appendfsync", "always"))) {
            Map<String, String> redis = Map.of("quarkus.redis.hosts", server.uri());
            String topic = "restart.orders";
            try (ServiceProcess ingest = ingest("ingest-restart", redis);
                    ServiceProcess edgeA = edge("edge-restart-a", redis);
                    ServiceProcess edgeB = edge("edge-restart-b", redis);
                    FailoverSseClient onA = new FailoverSseClient(List.of(q -> edgeA.uri("/v1/stream?" + q),
                            q -> edgeB.uri("/v1/stream?" + q)), "topic=" + topic + "&since=-");
                    FailoverSseClient onB = new FailoverSseClient(List.of(q -> edgeB.uri("/v1/stream?" + q),
                            q -> edgeA.uri("/v1/stream?" + q)), "topic=" + topic + "&since=-")) {
                List<Integer> acknowledged = new ArrayList<>(publishThroughFailover(ingest, topic, 0, 5, false));
                awaitData(onA, 5);
                awaitData(onB, 5);
                server.restart();
                acknowledged.addAll(publishThroughFailover(ingest, topic, 100, 5, false));
                assertDeliveredOnceInOrder(onA, acknowledged, "client on edge A");
                assertDeliveredOnceInOrder(onB, acknowledged, "client on edge B");
            }
        }
    }

    static void awaitData(FailoverSseClient client, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (client.data.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /**
     * Waits for the client to have {@code expected}, then checks it got exactly that: every acknowledged event once,
     * in order. Writes were WAITed for before any kill, so no acknowledged write was lost and no reset is due.
     */
    static void assertDeliveredOnceInOrder(FailoverSseClient client, List<Integer> expected, String who)
            throws InterruptedException {
        awaitData(client, expected.size());
        Thread.sleep(200);
        List<Integer> streamed = new ArrayList<>();
        for (String payload : client.data) {
            Matcher matcher = DATA.matcher(payload);
            assertThat(matcher.find()).as(payload).isTrue();
            streamed.add(Integer.parseInt(matcher.group(1)));
        }
        assertThat(streamed).as("%s, signals: %s", who, client.signals).containsExactlyElementsOf(expected);
    }

    /** Publishes events numbered from {@code first}, each retried until acknowledged, until {@code stop} is set. */
    private static List<Integer> publishUntil(ServiceProcess ingest, String topic, int first,
            AtomicBoolean stop) {
        List<Integer> acknowledged = new ArrayList<>();
        try {
            for (int n = first; !stop.get(); n++) {
                acknowledged.addAll(publishThroughFailover(ingest, topic, n, 1, false));
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return acknowledged;
    }

    static ServiceProcess ingest(String name, Map<String, String> redis) {
        Map<String, String> properties = new HashMap<>(redis);
        properties.put("quiver.auth.publisher-keys.e2e.hash", PublisherKeys.hash(API_KEY));
        properties.put("quiver.auth.publisher-keys.e2e.topics", "*");
        return ServiceProcess.start(name, "event-ingest", properties);
    }

    static ServiceProcess edge(String name, Map<String, String> redis) {
        Map<String, String> properties = new HashMap<>(redis);
        properties.put("quiver.auth.public-topics", "*");
        properties.put("quiver.edge.retry", "200ms");
        return ServiceProcess.start(name, "stream-edge", properties);
    }

    static ServiceProcess snapshot(String name, Map<String, String> redis) {
        Map<String, String> properties = new HashMap<>(redis);
        properties.put("quiver.auth.public-topics", "*");
        return ServiceProcess.start(name, "snapshot-api", properties);
    }

    /** One topic per primary: the first names, in order, whose slots fall on each. */
    private static List<String> topicsOnEveryPrimary(RedisCluster cluster) {
        List<String> topics = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; topics.size() < 3; i++) {
            String topic = "cluster.t" + i;
            int port = cluster.primaryOf(KeySlot.of(new TopicKeys(topic).stream())).port();
            if (!ports.contains(port)) {
                ports.add(port);
                topics.add(topic);
            }
        }
        return topics;
    }

    /**
     * Publishes {@code count} events numbered from {@code first}, one after the other, each retried with its
     * Idempotency-Key until acknowledged: while no primary serves the topic, ingest must answer 503 with Retry-After,
     * never anything else.
     *
     * @param failover whether a failover is under way, so that ingest must have answered 503 at least once
     */
    static List<Integer> publishThroughFailover(ServiceProcess ingest, String topic, int first, int count,
            boolean failover) throws Exception {
        List<Integer> acknowledged = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        int unavailable = 0;
        for (int n = first; n < first + count; n++) {
            while (true) {
                assertThat(System.nanoTime()).as("event %d acknowledged in time", n).isLessThan(deadline);
                HttpResponse<String> response = post(ingest, topic, n);
                if (response.statusCode() == 202) {
                    acknowledged.add(n);
                    break;
                }
                assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
                unavailable++;
                Thread.sleep(200);
            }
        }
        if (failover) {
            assertThat(unavailable).as("the failover was seen by ingest").isPositive();
        }
        return acknowledged;
    }

    static HttpResponse<String> post(ServiceProcess ingest, String topic, int n)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(ingest.uri("/v1/topics/" + topic + "/events"))
                .header("Authorization", "Bearer " + API_KEY)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", topic + "-" + n)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"n\",\"data\":" + n + "}")).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postBatch(ServiceProcess ingest, String body, String key)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(ingest.uri("/v1/events"))
                .header("Authorization", "Bearer " + API_KEY)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Every event of the topic, read from snapshot-api's history endpoint. */
    static List<Integer> events(ServiceProcess snapshot, String topic) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(snapshot.uri("/v1/topics/" + topic + "/events")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<Integer> numbers = new ArrayList<>();
        Matcher matcher = DATA.matcher(response.body());
        while (matcher.find()) {
            numbers.add(Integer.parseInt(matcher.group(1)));
        }
        return numbers;
    }
}
