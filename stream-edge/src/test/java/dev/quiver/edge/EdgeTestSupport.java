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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import io.quarkus.test.common.http.TestHTTPResource;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.contract.redis.EventWriter;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.testkit.InjectRedisServer;
import dev.quiver.testkit.RedisServer;

/** Helpers shared by the edge tests: publishing through the real append script, and URLs. */
abstract class EdgeTestSupport {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    @InjectRedisServer
    RedisServer redis;

    @Inject
    EventWriter writer;

    @TestHTTPResource("/")
    URI root;

    static String freshTopic(String prefix) {
        return prefix + "." + TOPICS.incrementAndGet() + "." + System.nanoTime();
    }

    /** Publishes one history-only event with {@code data} and returns its id. */
    String publish(String topic, String data) {
        AppendResult result = writer.append(topic, List.of(new AppendRequest(
                new EventDraft(topic, "test", null, null, data), null))).await().atMost(Duration.ofSeconds(10));
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
        return writer.append(topic, batch).await().atMost(Duration.ofSeconds(10)).ids();
    }

    /** The {@code data} field of every entry of a topic's stream, oldest first: what Redis holds. */
    List<String> storedData(String topic) {
        @SuppressWarnings("unchecked")
        List<List<Object>> entries = (List<List<Object>>) redis.call("XRANGE", new TopicKeys(topic).stream(), "-", "+");
        return entries.stream().map(entry -> {
            @SuppressWarnings("unchecked")
            List<String> fields = (List<String>) entry.get(1);
            return fields.get(fields.indexOf("data") + 1);
        }).toList();
    }

    String epoch(String topic) {
        return (String) redis.call("HGET", "{q:t:" + topic + "}:meta", "epoch");
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
