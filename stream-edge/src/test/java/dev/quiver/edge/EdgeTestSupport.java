package dev.quiver.edge;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.quarkus.test.common.http.TestHTTPResource;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.nats.NatsLayout;
import dev.quiver.contract.publish.EventStore;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.contract.testing.StoredEvents;
import dev.quiver.testkit.InjectBroker;
import dev.quiver.testkit.InjectNatsServer;
import dev.quiver.testkit.InjectRedisServer;
import dev.quiver.testkit.NatsServer;
import dev.quiver.testkit.RedisServer;
import dev.quiver.testkit.ServerProcess;

/** Helpers shared by the edge tests: publishing through the real append script, and URLs. */
abstract class EdgeTestSupport {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    /** The Redis the suite runs on (null on NATS). */
    @InjectRedisServer
    RedisServer redis;

    /** The JetStream server the suite runs on (null on Redis). */
    @InjectNatsServer
    NatsServer nats;

    /** Whichever broker runs: what outage tests stop and restart. */
    @InjectBroker
    ServerProcess broker;

    @Inject
    EventStore writer;

    /** The epoch each topic's last write reported. */
    private final Map<String, String> epochs = new ConcurrentHashMap<>();

    @TestHTTPResource("/")
    URI root;

    static String freshTopic(String prefix) {
        return prefix + "." + TOPICS.incrementAndGet() + "." + System.nanoTime();
    }

    /** Publishes one history-only event with {@code data} and returns its id. */
    String publish(String topic, String data) {
        AppendResult result = writer.append(topic, List.of(new AppendRequest(
                new EventDraft(topic, "test", null, null, data), null))).await().atMost(Duration.ofSeconds(10));
        epochs.put(topic, result.epoch());
        return result.ids().get(0);
    }

    /** Publishes {@code count} events with data 0..count-1 and returns their ids. */
    List<String> publishMany(String topic, int from, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            ids.add(publish(topic, Integer.toString(i)));
        }
        return ids;
    }

    /** Publishes {@code count} events (data 0..count-1) in ONE atomic append, so the live reader reads them together. */
    List<String> publishBatch(String topic, int count) {
        List<AppendRequest> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new AppendRequest(new EventDraft(topic, "test", null, null, Integer.toString(i)), null));
        }
        AppendResult result = writer.append(topic, batch).await().atMost(Duration.ofSeconds(10));
        epochs.put(topic, result.epoch());
        return result.ids();
    }

    /**
     * Publishes {@code count} events (data 0..count-1) so that they reach the live reader together: on Redis one
     * atomic append; on NATS (whose writer publishes a topic's events one after the other, docs/nats.md) a burst of
     * pipelined publishes of the same messages the writer would make.
     */
    List<String> publishBurst(String topic, int count) {
        if (nats == null) {
            return publishBatch(topic, count);
        }
        NatsLayout layout = new NatsLayout("QUIVER", "quiver");
        try (Connection connection = Nats.connect(nats.url())) {
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                acks.add(connection.jetStream().publishAsync(layout.eventSubject(topic, null),
                        new Headers().add("Quiver-Type", "test"),
                        Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
            }
            List<String> ids = new ArrayList<>();
            for (CompletableFuture<PublishAck> ack : acks) {
                ids.add(NatsLayout.id(ack.get(10, TimeUnit.SECONDS).getSeqno()).toString());
            }
            return ids;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code data} field of every event of a topic, oldest first: what the broker holds. */
    List<String> storedData(String topic) {
        return stored().entries(topic).stream().map(entry -> {
            @SuppressWarnings("unchecked")
            List<String> fields = (List<String>) entry.get(1);
            return fields.get(fields.indexOf("data") + 1);
        }).toList();
    }

    /** What the broker holds, read directly. */
    StoredEvents stored() {
        return redis != null ? StoredEvents.redis(redis) : StoredEvents.nats(nats);
    }

    /** The topic's epoch: as its last write here reported it, else as the broker holds it. */
    String epoch(String topic) {
        String written = epochs.get(topic);
        return written != null ? written : stored().epoch(topic);
    }

    URI stream(String query) {
        return root.resolve("/v1/stream?" + query);
    }

    URI poll(String query) {
        return root.resolve("/v1/poll?" + query);
    }

    /** A socket to this application from loopback address {@code source}: each address has its own limits. */
    Socket connectFrom(String source) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
        return socket;
    }

    /** Sends {@code request} from {@code source} and answers the status line. */
    String rawExchangeFrom(String source, String request) throws IOException {
        try (Socket socket = connectFrom(source)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\r') {
                line.append((char) c);
            }
            return line.toString();
        }
    }

    /** The value of one series on this application's {@code /q/metrics}, 0 while it has none. */
    static double metric(String series) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(body);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    static final Duration WAIT = Duration.ofSeconds(10);
}
