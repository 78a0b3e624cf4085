package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.quiver.contract.security.PublisherKeys;
import dev.quiver.testkit.Fuzz;
import dev.quiver.testkit.FuzzValues;
import dev.quiver.testkit.RawRequest;
import dev.quiver.testkit.RedisServer;

/**
 * The packaged services as processes: a real redis-server (a JetStream server in {@link NatsCrossPodIT}), event-ingest
 * and two stream-edge pods. Clients move between pods the way they would behind a round-robin balancer, and nothing
 * may be lost or repeated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossPodIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern DATA = Pattern.compile("\"data\":(\\d+)");
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private static final String API_KEY = "e2e-publisher-key-0123456789abcdefghijkl";

    /** The broker, stopped with the stack. */
    private AutoCloseable broker;
    private ServiceProcess ingest;
    private ServiceProcess edgeA;
    private ServiceProcess edgeB;
    private ServiceProcess snapshot;

    private static final String[] SERVICES = {"event-ingest", "stream-edge-a", "stream-edge-b", "snapshot-api"};

    @BeforeAll
    void startStack() throws IOException {
        // Service logs are appended to across restarts; this run's checks read only this run's lines.
        for (String name : SERVICES) {
            Files.deleteIfExists(Path.of("target", "e2e-logs", name + ".log"));
        }
        Map<String, String> onBroker = startBroker();
        // Production defaults, authentication included: ingest takes a publisher key, and the topics are public
        // reading (a public dashboard's setup), so the subscribers need no token. The security suites of each
        // module cover tokens.
        Map<String, String> common = with(onBroker, Map.of("quiver.auth.public-topics", "*"));
        ingest = ServiceProcess.start("event-ingest", "event-ingest", with(onBroker, Map.of(
                "quiver.auth.publisher-keys.e2e.hash", PublisherKeys.hash(API_KEY),
                "quiver.auth.publisher-keys.e2e.topics", "*")));
        // Every client of this suite connects from 127.0.0.1, and its polls, reconnects and kills add up to far more
        // attempts per second than one real address makes: the per-IP connect rate (20/s, burst 100 in production)
        // would answer some with 429 and the suite would fail by chance. The limit has its own tests (the edge module's SecurityTest).
        Map<String, String> edge = with(onBroker, Map.of("quiver.edge.drain-window", "3s",
                "quiver.edge.retry", "200ms", "quiver.auth.public-topics", "*", "quiver.auth.publisher-keys.e2e.hash",
                PublisherKeys.hash(API_KEY), "quiver.auth.publisher-keys.e2e.topics", "*",
                "quiver.edge.connect-rate.per-second", "100000", "quiver.edge.connect-rate.burst", "100000"));
        edgeA = ServiceProcess.start("stream-edge-a", "stream-edge", edge);
        edgeB = ServiceProcess.start("stream-edge-b", "stream-edge", edge);
        snapshot = ServiceProcess.start("snapshot-api", "snapshot-api", common);
    }

    @AfterAll
    void stopStack() {
        for (AutoCloseable closeable : new AutoCloseable[]{edgeA, edgeB, ingest, snapshot, broker}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // Best effort: the JVM is going away.
            }
        }
    }

    private String freshTopic(String prefix) {
        return prefix + "." + TOPICS.incrementAndGet() + "." + System.nanoTime();
    }

    private String post(String topic, int n) {
        HttpRequest request = HttpRequest.newBuilder(ingest.uri("/v1/topics/" + topic + "/events"))
                .header("Authorization", "Bearer " + API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"n\",\"data\":" + n + "}")).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            return response.body();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Publishes 0..count-1, one every {@code everyMillis}, in the background. */
    private CompletableFuture<Void> publishSteadily(String topic, int count, long everyMillis) {
        return CompletableFuture.runAsync(() -> {
            for (int i = 0; i < count; i++) {
                post(topic, i);
                ServiceProcess.sleep(everyMillis);
            }
        });
    }

    private List<Integer> numbers(List<String> payloads) {
        List<Integer> numbers = new ArrayList<>();
        for (String payload : payloads) {
            Matcher matcher = DATA.matcher(payload);
            assertThat(matcher.find()).as(payload).isTrue();
            numbers.add(Integer.parseInt(matcher.group(1)));
        }
        return numbers;
    }

    private List<Integer> range(int count) {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(i);
        }
        return expected;
    }

    private void awaitCount(List<?> list, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (list.size() < count && System.nanoTime() < deadline) {
            ServiceProcess.sleep(20);
        }
        assertThat(list).as("received before the deadline").hasSizeGreaterThanOrEqualTo(count);
    }

    /**
     * Publishes 0..999 steadily; once {@code received} holds {@code after} of them, runs {@code disruption} (kill or
     * drain the client's pod); then every event must arrive exactly once, in order.
     */
    private void deliversAllThrough(String topic, List<String> received, List<Integer> podsUsed, int after,
            Runnable disruption) {
        awaitCount(podsUsed, 1, Duration.ofSeconds(5));
        ServiceProcess.sleep(500);
        CompletableFuture<Void> publishing = publishSteadily(topic, 1000, 3);
        awaitCount(received, after, Duration.ofSeconds(60));
        disruption.run();
        publishing.join();
        awaitCount(received, 1000, Duration.ofSeconds(60));
        ServiceProcess.sleep(500);
        assertThat(numbers(received)).isEqualTo(range(1000));
    }

    private List<Function<String, URI>> pods(ServiceProcess... pods) {
        List<Function<String, URI>> list = new ArrayList<>();
        for (ServiceProcess pod : pods) {
            list.add(query -> pod.uri("/v1/stream?" + query));
        }
        return list;
    }

    @Test
    void everyServiceKnowsEveryConfigurationKeyItIsGiven() throws IOException {
        // Quarkus ignores an unknown key with only a startup warning: a mistyped key silently does nothing (#15: the
        // generated manifests lost their grace period that way).
        for (String name : SERVICES) {
            assertThat(Files.readString(Path.of("target", "e2e-logs", name + ".log"))).as(name)
                    .doesNotContain("Unrecognized configuration key");
        }
    }

    @Test
    void sigkillOfThePodMidStreamLosesNothing() {
        String topic = freshTopic("kill");
        try (FailoverSseClient client = new FailoverSseClient(pods(edgeA, edgeB), "topic=" + topic)) {
            deliversAllThrough(topic, client.data, client.podsUsed, 500, edgeA::kill);
            assertThat(client.podsUsed).contains(1);
        } finally {
            edgeA.launch();
        }
    }

    @Test
    void sigtermDrainsTheClientToTheOtherPodWithoutLoss() {
        String topic = freshTopic("drain");
        try (FailoverSseClient client = new FailoverSseClient(pods(edgeA, edgeB), "topic=" + topic)) {
            deliversAllThrough(topic, client.data, client.podsUsed, 300, () -> {
                edgeA.terminate();
                // Readiness goes down first, while the pod still serves.
                long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                int readiness = edgeA.readiness();
                while (readiness == 200 && System.nanoTime() < deadline) {
                    ServiceProcess.sleep(20);
                    readiness = edgeA.readiness();
                }
                assertThat(readiness).isEqualTo(503);
            });
            assertThat(client.signals).contains("reconnect");
            assertThat(edgeA.waitExit(Duration.ofSeconds(30))).as("the pod exits after draining").isTrue();
        } finally {
            edgeA.launch();
        }
    }

    @Test
    void longPollingAlternatingPodsSeesEverythingOnceInOrder() throws Exception {
        String topic = freshTopic("poll");
        post(topic, -1);
        CompletableFuture<Void> publishing = publishSteadily(topic, 300, 5);
        List<Integer> seen = new ArrayList<>();
        String cursor = null;
        int request = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (seen.size() < 301 && System.nanoTime() < deadline) {
            ServiceProcess pod = request++ % 2 == 0 ? edgeA : edgeB;
            String query = "topic=" + topic + "&timeout=5&limit=50"
                    + (cursor == null
                            ? "&since=" + URLEncoder.encode(epoch(topic) + ":0-0", StandardCharsets.UTF_8)
                            : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(pod.uri("/v1/poll?" + query)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String body = response.body();
            Matcher events = Pattern.compile("\"data\":(-?\\d+)").matcher(body);
            while (events.find()) {
                seen.add(Integer.parseInt(events.group(1)));
            }
            Matcher next = Pattern.compile("\"cursor\":\"([^\"]+)\"").matcher(body);
            assertThat(next.find()).isTrue();
            cursor = next.group(1);
        }
        publishing.join();
        List<Integer> expected = new ArrayList<>();
        expected.add(-1);
        expected.addAll(range(300));
        assertThat(seen).isEqualTo(expected);
        assertThat(request).isGreaterThan(2);
    }

    /** The topic's epoch, as snapshot-api's cursor carries it (whichever broker holds it). */
    private String epoch(String topic) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(snapshot.uri("/v1/topics/" + topic + "/snapshot")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher cursor = Pattern.compile("\"cursor\":\"([a-z2-7]{8}):").matcher(body);
            assertThat(cursor.find()).as(body).isTrue();
            return cursor.group(1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the broker the stack runs on and returns the settings every service needs for it: one real Redis here;
     * {@link NatsCrossPodIT} runs the same suite on JetStream.
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

    private static Map<String, String> with(Map<String, String> first, Map<String, String> second) {
        Map<String, String> both = new java.util.HashMap<>(first);
        both.putAll(second);
        return both;
    }

    @Test
    void nodeEventSourceClientReceivesAndResumesFromAnyPod() throws Exception {
        String topic = freshTopic("node");
        Process first = node(edgeB.uri("/v1/stream?topic=" + topic).toString(), "20", null);
        List<String> lines = new ArrayList<>();
        Thread reader = drain(first, lines);
        awaitLine(lines, "\"open\":true");
        for (int i = 0; i < 20; i++) {
            post(topic, i);
        }
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        assertThat(first.exitValue()).as(String.join("\n", lines)).isZero();
        List<String> messages = lines.stream().filter(l -> l.startsWith("{\"id\"")).toList();
        assertThat(numbers(messages)).isEqualTo(range(20));
        Matcher tenth = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(messages.get(9));
        assertThat(tenth.find()).isTrue();

        // Resume from the tenth event's id on the OTHER pod: exactly the last ten arrive.
        Process second = node(edgeA.uri("/v1/stream?topic=" + topic).toString(), "10", tenth.group(1));
        List<String> resumed = new ArrayList<>();
        Thread resumedReader = drain(second, resumed);
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        resumedReader.join(5000);
        assertThat(second.exitValue()).as(String.join("\n", resumed)).isZero();
        List<Integer> rest = numbers(resumed.stream().filter(l -> l.startsWith("{\"id\"")).toList());
        assertThat(rest).isEqualTo(range(20).subList(10, 20));
    }

    private Process node(String url, String count, String lastEventId) throws IOException {
        List<String> command = new ArrayList<>(List.of("node", "sse-client.mjs", url, count));
        if (lastEventId != null) {
            command.add(lastEventId);
        }
        return new ProcessBuilder(command).directory(Path.of(System.getProperty("quiver.node.dir")).toFile())
                .redirectErrorStream(true).start();
    }

    private Thread drain(Process process, List<String> lines) {
        Thread thread = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // Process ended.
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void awaitLine(List<String> lines, String fragment) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                if (lines.stream().anyMatch(l -> l.contains(fragment))) {
                    return;
                }
            }
            ServiceProcess.sleep(20);
        }
        throw new AssertionError("no line with " + fragment + ": " + lines);
    }

    private List<URI> wsPods(ServiceProcess... pods) {
        List<URI> list = new ArrayList<>();
        for (ServiceProcess pod : pods) {
            list.add(URI.create("ws://127.0.0.1:" + pod.port + "/v1/ws"));
        }
        return list;
    }

    @Test
    void webSocketSubscriberSurvivesSigkillOfItsPod() {
        String topic = freshTopic("ws-kill");
        post(topic, -1);
        try (FailoverWsClient client = new FailoverWsClient(wsPods(edgeA, edgeB), topic)) {
            deliversAllThrough(topic, client.events, client.podsUsed, 500, edgeA::kill);
        } finally {
            edgeA.launch();
        }
    }

    @Test
    void webSocketSubscriberIsDrainedWith1012AndResumesElsewhere() {
        String topic = freshTopic("ws-drain");
        post(topic, -1);
        try (FailoverWsClient client = new FailoverWsClient(wsPods(edgeA, edgeB), topic)) {
            deliversAllThrough(topic, client.events, client.podsUsed, 300, edgeA::terminate);
            assertThat(client.closeCodes).contains(1012);
            assertThat(edgeA.waitExit(Duration.ofSeconds(30))).isTrue();
        } finally {
            edgeA.launch();
        }
    }

    @Test
    void nodeWsClientSubscribesReceivesAndPublishes() throws Exception {
        String topic = freshTopic("node-ws");
        String first = post(topic, 0);
        Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(first);
        assertThat(id.find()).isTrue();
        String since = epoch(topic) + ":" + id.group(1);
        ProcessBuilder builder = new ProcessBuilder("node", "ws-client.mjs", "ws://127.0.0.1:" + edgeB.port + "/v1/ws",
                topic, "10", since).directory(Path.of(System.getProperty("quiver.node.dir")).toFile())
                .redirectErrorStream(true);
        // It publishes too: with the publisher key, which the edge accepts on the handshake.
        builder.environment().put("QUIVER_CREDENTIAL", API_KEY);
        Process client = builder.start();
        List<String> lines = new ArrayList<>();
        Thread reader = drain(client, lines);
        awaitLine(lines, "\"op\":\"subscribed\"");
        for (int i = 1; i <= 10; i++) {
            post(topic, i);
        }
        assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        assertThat(client.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).anyMatch(l -> l.contains("\"op\":\"subscribed\"") && l.contains("\"recovered\":true"));
        assertThat(lines).anyMatch(l -> l.contains("\"op\":\"published\"") && l.contains("\"ref\":\"pub-1\""));
        List<String> events = lines.stream().filter(l -> l.contains("\"op\":\"event\"")).toList();
        assertThat(numbers(events)).isEqualTo(range(11).subList(1, 11));
    }

    /** What a client holds per key: the id of the event that set it, and the data. */
    private record Held(String id, String data) {
    }

    private static final Pattern ENTITY = Pattern.compile(
            "\\{\"key\":\"([^\"]+)\",\"data\":(\\{[^}]*\\}),\"id\":\"([^\"]+)\"");
    private static final Pattern EVENT = Pattern.compile(
            "\"id\":\"([^\"]+)\",\"type\":\"[^\"]*\",\"key\":\"([^\"]+)\",\"op\":\"([a-z]+)\",\"data\":(\\{[^}]*\\}|null)");

    private boolean newer(String id, Held held) {
        if (held == null) {
            return true;
        }
        String[] a = id.split("-");
        String[] b = held.id().split("-");
        int byMillis = Long.compare(Long.parseLong(a[0]), Long.parseLong(b[0]));
        return byMillis != 0 ? byMillis > 0 : Long.parseLong(a[1]) > Long.parseLong(b[1]);
    }

    private void postKeyed(String topic, String key, String op, String data) {
        HttpRequest request = HttpRequest.newBuilder(ingest.uri("/v1/topics/" + topic + "/events"))
                .header("Authorization", "Bearer " + API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"t\",\"key\":\"" + key + "\",\"op\":\"" + op
                        + "\"" + (data == null ? "" : ",\"data\":" + data) + "}"))
                .build();
        try {
            assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The whole path of a producer's JSON, through the packaged services: whatever white space and number forms it is
     * sent with, snapshot-api and both edges serve the same text without the white space (#15).
     */
    @Test
    void dataSentThroughIngestIsServedExactlyBySnapshotAndEdges() {
        String topic = freshTopic("exact");
        List<String> sent = new ArrayList<>();
        Fuzz.check("e2e data", 60, random -> FuzzValues.json(random, 4), data -> {
            String key = "k" + sent.size();
            postKeyed(topic, key, "upsert", data.text());
            sent.add(data.compact());
            RawRequest.Response entity = RawRequest.send(snapshot.port, "GET",
                    "/v1/topics/" + topic + "/entities/" + key, Map.of(), null);
            assertThat(entity.text()).contains("\"data\":" + data.compact() + ",");
        });
        for (ServiceProcess pod : new ServiceProcess[]{edgeA, edgeB}) {
            String polled = RawRequest.send(pod.port, "GET", "/v1/poll?timeout=0&limit=1000&since=-&topic=" + topic,
                    Map.of(), null).text();
            int from = 0;
            for (String data : sent) {
                int at = polled.indexOf("\"data\":" + data + ",", from);
                assertThat(at).as("%s serves %s in order", pod.name, data).isGreaterThanOrEqualTo(from);
                from = at + 1;
            }
        }
    }

    @Test
    void snapshotThenSseFromItsCursorFoldsToTheFinalStateWhileWritesContinue() throws Exception {
        String topic = freshTopic("fold");
        Map<String, String> finalState = new ConcurrentHashMap<>();
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            java.util.Random random = new Random(3);
            for (int i = 0; i < 2000; i++) {
                String key = "k" + random.nextInt(100);
                if (random.nextInt(4) == 0) {
                    postKeyed(topic, key, "delete", null);
                    finalState.remove(key);
                } else {
                    String data = "{\"i\":" + i + "}";
                    postKeyed(topic, key, "upsert", data);
                    finalState.put(key, data);
                }
                written.incrementAndGet();
            }
        });
        while (written.get() < 500) {
            ServiceProcess.sleep(10);
        }
        // A paged snapshot walk while writes go on: its pages reflect different moments.
        Map<String, Held> held = new HashMap<>();
        String path = "/v1/topics/" + topic + "/snapshot?limit=10";
        String cursor = null;
        while (path != null) {
            String body = HTTP.send(HttpRequest.newBuilder(snapshot.uri(path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher cursorMatch = Pattern.compile("\"cursor\":\"([^\"]+)\"").matcher(body);
            assertThat(cursorMatch.find()).as(body).isTrue();
            if (cursor == null) {
                cursor = cursorMatch.group(1);
            }
            Matcher entity = ENTITY.matcher(body);
            while (entity.find()) {
                held.put(entity.group(1), new Held(entity.group(3), entity.group(2)));
            }
            Matcher next = Pattern.compile("\"next\":\"([^\"]+)\"").matcher(body);
            path = next.find() ? next.group(1) : null;
        }
        // Then SSE from the walk's cursor, applying only what is newer than what is held.
        Set<String> applied = new HashSet<>();
        try (FailoverSseClient client = new FailoverSseClient(pods(edgeA, edgeB),
                "topic=" + topic + "&since=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))) {
            writer.get(120, TimeUnit.SECONDS);
            String last = post(topic, -1);
            Matcher lastId = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(last);
            assertThat(lastId.find()).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int seen = 0;
            boolean reachedEnd = false;
            while (!reachedEnd && System.nanoTime() < deadline) {
                while (seen < client.data.size()) {
                    String payload = client.data.get(seen++);
                    if (payload.contains("\"id\":\"" + lastId.group(1) + "\"")) {
                        reachedEnd = true;
                        continue;
                    }
                    Matcher event = EVENT.matcher(payload);
                    assertThat(event.find()).as(payload).isTrue();
                    String id = event.group(1);
                    String key = event.group(2);
                    if (!newer(id, held.get(key))) {
                        continue;
                    }
                    assertThat(applied.add(id)).as("applied twice: " + id).isTrue();
                    if ("delete".equals(event.group(3))) {
                        held.remove(key);
                    } else {
                        held.put(key, new Held(id, event.group(4)));
                    }
                }
                ServiceProcess.sleep(20);
            }
            assertThat(reachedEnd).as("the stream reached the last event").isTrue();
        }
        Map<String, String> folded = new HashMap<>();
        held.forEach((key, value) -> folded.put(key, value.data()));
        assertThat(folded).isEqualTo(finalState);
    }
}
