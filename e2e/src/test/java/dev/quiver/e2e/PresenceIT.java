package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.quiver.testkit.RedisCluster;
import dev.quiver.testkit.RedisServer;
import dev.quiver.testkit.TestTokens;

/**
 * Presence over two edge pods as processes, with tokens: one member per subject whatever its connections, pods and
 * transports; joins and leaves seen on the other pod; members of a SIGKILLed pod leave within the documented time
 * (timeout + one refresh); snapshot-api lists them; and the same on a Redis Cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresenceIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SUB = Pattern.compile("\"sub\":\"([^\"]+)\"");
    private static final AtomicInteger TOPICS = new AtomicInteger();
    /** The documented bound for a dead pod's members: timeout (2 s here) plus one refresh (0.5 s). */
    private static final Duration DEAD_POD_BOUND = Duration.ofMillis(2500);

    private AutoCloseable broker;
    private ServiceProcess edgeA;
    private ServiceProcess edgeB;
    private ServiceProcess snapshot;

    @BeforeAll
    void startStack() {
        Map<String, String> brokerConfig = startBroker();
        edgeA = edge("presence-edge-a", brokerConfig);
        edgeB = edge("presence-edge-b", brokerConfig);
        snapshot = ServiceProcess.start("presence-snapshot", "snapshot-api", config(brokerConfig));
    }

    /**
     * Starts the broker the stack runs on and returns the settings every service needs for it: one real Redis here;
     * {@link NatsPresenceIT} runs the pods' tests on JetStream.
     */
    Map<String, String> startBroker() {
        RedisServer redis = RedisServer.start();
        broker = redis;
        return BrokerSettings.redis(redis);
    }

    /** Keeps the broker for {@link #stopStack()}. */
    void broker(AutoCloseable started) {
        broker = started;
    }

    @AfterAll
    void stopStack() {
        for (AutoCloseable closeable : new AutoCloseable[]{edgeA, edgeB, snapshot, broker}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // Best effort: the JVM is going away.
            }
        }
    }

    /** Tokens on, presence on {@code room.*} with short intervals, and no connect rate to race the test. */
    private static Map<String, String> config(Map<String, String> brokerConfig) {
        Map<String, String> config = new HashMap<>(TestTokens.authConfig());
        config.putAll(brokerConfig);
        config.put("quiver.presence.topics", "room.*");
        config.put("quiver.presence.timeout", "2s");
        config.put("quiver.presence.refresh-interval", "500ms");
        config.put("quiver.presence.flush-interval", "50ms");
        config.put("quiver.edge.connect-rate.per-second", "100000");
        config.put("quiver.edge.connect-rate.burst", "100000");
        return config;
    }

    private static ServiceProcess edge(String name, Map<String, String> brokerConfig) {
        return ServiceProcess.start(name, "stream-edge", config(brokerConfig));
    }

    private static String freshTopic() {
        return "room." + TOPICS.incrementAndGet() + "." + System.nanoTime();
    }

    private static String token(String subject) {
        return TestTokens.token(subject).subscribe("room.*").hs256();
    }

    /** An SSE connection; with {@code watch}, it records the joins and leaves it gets as {@code "join alice"}. */
    private static final class Sse implements AutoCloseable {

        final BlockingQueue<String> changes = new LinkedBlockingQueue<>();
        private final CompletableFuture<HttpResponse<Stream<String>>> response;

        Sse(ServiceProcess pod, String topic, String subject, boolean watch) {
            HttpRequest request = HttpRequest.newBuilder(pod.uri("/v1/stream?topic=" + topic
                    + (watch ? "&presence=1" : ""))).header("Authorization", "Bearer " + token(subject)).build();
            response = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
            HttpResponse<Stream<String>> opened = response.join();
            assertThat(opened.statusCode()).isEqualTo(200);
            Thread reader = new Thread(() -> {
                String event = null;
                try {
                    for (String line : (Iterable<String>) opened.body()::iterator) {
                        if (line.startsWith("event: ")) {
                            event = line.substring(7);
                        } else if (line.startsWith("data: ") && ("join".equals(event) || "leave".equals(event))) {
                            Matcher sub = SUB.matcher(line);
                            changes.add(event + " " + (sub.find() ? sub.group(1) : "?"));
                        } else if (line.isEmpty()) {
                            event = null;
                        }
                    }
                } catch (RuntimeException closed) {
                    // the stream ended
                }
            }, "presence-sse");
            reader.setDaemon(true);
            reader.start();
        }

        String next() throws InterruptedException {
            String change = changes.poll(15, TimeUnit.SECONDS);
            assertThat(change).as("a join or leave within 15 s").isNotNull();
            return change;
        }

        List<String> quiet(Duration wait) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            String change;
            while ((change = changes.poll(wait.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                seen.add(change);
            }
            return seen;
        }

        @Override
        public void close() {
            response.join().body().close();
        }
    }

    /** A WebSocket connection subscribed to {@code topic}. */
    private static WebSocket ws(ServiceProcess pod, String topic, String subject) {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        WebSocket socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token(subject))
                .buildAsync(URI.create("ws://127.0.0.1:" + pod.port + "/v1/ws"), new WebSocket.Listener() {

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        if (data.toString().contains("\"op\":\"subscribed\"")) {
                            subscribed.complete(null);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).join();
        socket.sendText("{\"op\":\"subscribe\",\"ref\":\"s\",\"topic\":\"" + topic + "\"}", true).join();
        subscribed.orTimeout(15, TimeUnit.SECONDS).join();
        return socket;
    }

    /** The subjects snapshot-api lists, sorted, read with {@code reader}'s token. */
    private static List<String> listed(ServiceProcess snapshotApi, String topic)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(snapshotApi.uri("/v1/topics/" + topic
                + "/presence")).header("Authorization", "Bearer " + token("reader")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> subjects = new ArrayList<>();
        Matcher sub = SUB.matcher(response.body());
        while (sub.find()) {
            subjects.add(sub.group(1));
        }
        return subjects;
    }

    @Test
    void oneMemberPerSubjectAcrossPodsAndTransportsWithJoinsAndLeavesSeenEverywhere() throws Exception {
        String topic = freshTopic();
        try (Sse watcher = new Sse(edgeA, topic, "watcher", true)) {
            assertThat(watcher.next()).isEqualTo("join watcher");
            Sse aliceOnB = new Sse(edgeB, topic, "alice", false);
            assertThat(watcher.next()).isEqualTo("join alice");
            WebSocket aliceOnA = ws(edgeA, topic, "alice");
            Sse aliceAgainOnB = new Sse(edgeB, topic, "alice", false);
            assertThat(listed(snapshot, topic)).containsExactly("alice", "watcher");

            aliceOnB.close();
            aliceAgainOnB.close();
            assertThat(watcher.quiet(Duration.ofSeconds(1))).as("alice still has a WebSocket on the other pod")
                    .isEmpty();
            aliceOnA.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
            assertThat(watcher.next()).isEqualTo("leave alice");
            assertThat(listed(snapshot, topic)).containsExactly("watcher");
        }
    }

    @Test
    void membersOfASigkilledPodLeaveWithinTheTimeoutAndOneRefresh() throws Exception {
        String topic = freshTopic();
        try (Sse watcher = new Sse(edgeA, topic, "watcher", true)) {
            assertThat(watcher.next()).isEqualTo("join watcher");
            Sse bob = new Sse(edgeB, topic, "bob", false);
            assertThat(watcher.next()).isEqualTo("join bob");
            // Let the dead pod's last renewal be a fresh one, so that the bound is measured from a known point.
            ServiceProcess.sleep(600);
            long killed = System.nanoTime();
            edgeB.kill();
            assertThat(watcher.next()).isEqualTo("leave bob");
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            // The lease ends 2 s after the last renewal (0 to 0.5 s before the kill); the watcher's pod notices on
            // its next refresh (within 0.5 s). Generous slack for a loaded machine, but never less than the lease.
            assertThat(took).isBetween(Duration.ofMillis(1000), DEAD_POD_BOUND.plusSeconds(3));
            assertThat(listed(snapshot, topic)).containsExactly("watcher");
            bob.close();
        } finally {
            edgeB.launch();
        }
    }

    @Test
    void presenceWorksOnARedisCluster() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 0)) {
            Map<String, String> clusterConfig = Map.of("quarkus.redis.client-type", "cluster", "quarkus.redis.hosts",
                    cluster.hosts());
            try (ServiceProcess edge = edge("presence-cluster-edge", clusterConfig);
                    ServiceProcess snapshotApi = ServiceProcess.start("presence-cluster-snapshot", "snapshot-api",
                            config(clusterConfig))) {
                // Topics until every primary has one: presence keys and channels live on the topic's own node.
                List<String> topics = new ArrayList<>();
                List<RedisServer> primaries = new ArrayList<>();
                while (primaries.size() < 3) {
                    String topic = freshTopic();
                    RedisServer primary = cluster.primaryOf("{q:t:" + topic + "}");
                    if (!primaries.contains(primary)) {
                        primaries.add(primary);
                        topics.add(topic);
                    }
                }
                for (String topic : topics) {
                    try (Sse watcher = new Sse(edge, topic, "watcher", true)) {
                        assertThat(watcher.next()).isEqualTo("join watcher");
                        try (Sse carol = new Sse(edge, topic, "carol", false)) {
                            assertThat(watcher.next()).isEqualTo("join carol");
                            assertThat(listed(snapshotApi, topic)).containsExactly("carol", "watcher");
                        }
                        assertThat(watcher.next()).isEqualTo("leave carol");
                    }
                }
            }
        }
    }
}
