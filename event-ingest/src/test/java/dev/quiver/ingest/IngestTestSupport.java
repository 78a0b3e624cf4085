package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

import dev.quiver.contract.testing.StoredEvents;
import dev.quiver.testkit.InjectBroker;
import dev.quiver.testkit.InjectNatsServer;
import dev.quiver.testkit.InjectRedisServer;
import dev.quiver.testkit.NatsServer;
import dev.quiver.testkit.RedisServer;
import dev.quiver.testkit.ServerProcess;

/** Shared helpers of the ingest tests: raw-byte requests and direct looks into the broker. */
public abstract class IngestTestSupport {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    /** The Redis the suite runs on (null on NATS). */
    @InjectRedisServer
    protected RedisServer redis;

    /** The JetStream server the suite runs on (null on Redis). */
    @InjectNatsServer
    protected NatsServer nats;

    /** Whichever broker runs: what outage tests stop, freeze and restart. */
    @InjectBroker
    protected ServerProcess broker;

    @BeforeAll
    static void rawBodies() {
        // Send exactly the bytes and Content-Type a test names: no charset appended, no re-encoding.
        RestAssured.config = RestAssured.config().encoderConfig(
                EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));
    }

    /** A topic no other test uses, so tests never see each other's events. */
    protected static String freshTopic(String prefix) {
        return prefix + "." + TOPICS.incrementAndGet() + "." + System.nanoTime();
    }

    protected static RequestSpecification json(String body) {
        return given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8));
    }

    protected static ValidatableResponse post(String topic, String body) {
        return json(body).post("/v1/topics/{topic}/events", topic).then();
    }

    /** Asserts an RFC 9457 body of the given kind and returns the response for more checks. */
    protected static ValidatableResponse problem(ValidatableResponse response, int status, String slug) {
        return response.statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:quiver:problem:" + slug))
                .body("status", equalTo(status))
                .body("title", notNullValue());
    }

    /** What the broker holds, read directly. */
    protected StoredEvents stored() {
        return redis != null ? StoredEvents.redis(redis) : StoredEvents.nats(nats);
    }

    /** Every event of a topic as {@code [id, [field, value, ...]]} pairs. */
    protected List<List<Object>> entries(String topic) {
        return stored().entries(topic);
    }

    protected static Map<String, String> fields(List<Object> entry) {
        @SuppressWarnings("unchecked")
        List<String> flat = (List<String>) entry.get(1);
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            fields.put(flat.get(i), flat.get(i + 1));
        }
        return fields;
    }

    protected long length(String topic) {
        return stored().length(topic);
    }
}
