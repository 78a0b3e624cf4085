package dev.quiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;
import dev.quiver.testkit.Fuzz;
import dev.quiver.testkit.FuzzValues;
import dev.quiver.testkit.ProblemAssertions;
import dev.quiver.testkit.RawRequest;

/**
 * Whatever reaches ingest gets a success or a problem+json, never a 5xx, and data is stored exactly as sent once
 * insignificant white space is removed (#15). Examples are drawn from a fixed seed ({@link Fuzz}).
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class HostileInputTest extends IngestTestSupport {

    private static final String[] CONTENT_TYPES = {"application/json", "application/cloudevents+json",
            "application/cloudevents-batch+json", "application/json; charset=utf-8", "text/plain", "", "application/",
            "application/json; charset=latin1", "*/*", "application/json;;", "application/cloudevents+json; x=\"%zz\""};
    private static final String[] HEADERS = {"Idempotency-Key", "ce-specversion", "ce-id", "ce-source", "ce-type",
            "ce-subject", "ce-time", "ce-quivertopic", "ce-quiverop", "Content-Encoding", "Transfer-Encoding-X",
            "Authorization", "Accept", "X-Forwarded-For"};

    @TestHTTPResource("/")
    URI root;

    private RawRequest.Response send(String method, String target, Map<String, String> headers, String body) {
        return RawRequest.send(root.getPort(), method, target, headers,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private String storedData(String topic) {
        return fields(entries(topic).get(entries(topic).size() - 1)).get("data");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void aWrongMethodIs405WithAllow(String method) {
        for (String path : new String[]{"/v1/topics/t/events", "/v1/events"}) {
            RawRequest.Response response = send(method, path, Map.of(), null);
            assertThat(response.status()).isEqualTo(405);
            assertThat(response.header("Allow")).isEqualTo("POST");
            assertThat(ProblemAssertions.answeredOrProblem(response)).isEqualTo("method-not-allowed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/topics/t/events?x=%zz", "/v1/topics/t/events?x=%%%", "/v1/topics/a%G1/events",
            "/v1/events?%", "/v1/topics/t%/events"})
    void aBadPercentEscapeIs400WithAProblem(String target) {
        RawRequest.Response response = send("POST", target, Map.of("Content-Type", "application/json"),
                "{\"type\":\"t\",\"data\":1}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(ProblemAssertions.answeredOrProblem(response)).isEqualTo("invalid-request");
    }

    @Test
    void dataIsStoredExactlyOnEveryPath() {
        Fuzz.check("ingest data", 160, random -> new Example(random.nextInt(4), FuzzValues.json(random, 4)),
                example -> {
                    String topic = freshTopic("fuzz");
                    String data = example.data().text();
                    RawRequest.Response response = switch (example.path()) {
                        case 0 -> send("POST", "/v1/topics/" + topic + "/events", Map.of("Content-Type",
                                "application/json"), "{\"type\":\"t\",\"data\":" + data + "}");
                        case 1 -> send("POST", "/v1/events", Map.of("Content-Type", "application/json"),
                                "[ {\"topic\":\"" + topic + "\",\"type\":\"t\",\"data\":" + data + "} ]");
                        case 2 -> send("POST", "/v1/topics/" + topic + "/events",
                                Map.of("Content-Type", "application/cloudevents+json"),
                                "{\"specversion\":\"1.0\",\"id\":\"x\","
                                        + "\"source\":\"/s\",\"type\":\"t\",\"data\":" + data + "}");
                        default -> send("POST", "/v1/topics/" + topic + "/events", Map.of("Content-Type",
                                "application/json", "ce-specversion", "1.0", "ce-id", "x", "ce-source", "/s", "ce-type",
                                "t"),
                                data);
                    };
                    assertThat(response.status()).as(response.text()).isEqualTo(202);
                    assertThat(storedData(topic)).isEqualTo(example.data().compact());
                });
    }

    /** Which path an event takes, and its data. */
    record Example(int path, FuzzValues.Json data) {
    }

    @Test
    void corruptedBodiesAnswerProblems() {
        Fuzz.check("ingest corrupted bodies", 300, random -> {
            String topic = "fuzz.c" + random.nextInt(1000);
            String event = "{\"type\":\"t\",\"key\":" + FuzzValues.string(random) + ",\"data\":"
                    + FuzzValues.json(random, 3).text() + "}";
            String body = switch (random.nextInt(3)) {
                case 0 -> event;
                case 1 -> "[" + event.replace("{\"type\"", "{\"topic\":\"" + topic + "\",\"type\"") + "]";
                default -> "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"/s\",\"quivertopic\":\"" + topic
                        + "\"," + event.substring(1);
            };
            int damage = random.nextInt(4);
            for (int i = 0; i < damage; i++) {
                body = FuzzValues.corrupt(random, body);
            }
            String path = body.startsWith("[") ? "/v1/events" : "/v1/topics/" + topic + "/events";
            return new Request(path, CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)], Map.of(), body);
        }, this::answered);
    }

    @Test
    void hostileHeadersPathsAndQueriesAnswerProblems() {
        Fuzz.check("ingest hostile requests", 300, random -> {
            Map<String, String> headers = new LinkedHashMap<>();
            int n = random.nextInt(5);
            for (int i = 0; i < n; i++) {
                headers.put(HEADERS[random.nextInt(HEADERS.length)], FuzzValues.headerValue(random));
            }
            String topic = random.nextBoolean() ? "fuzz.h" : FuzzValues.queryValue(random);
            String path = (random.nextInt(4) == 0 ? "/v1/events" : "/v1/topics/" + topic + "/events")
                    + (random.nextBoolean()
                            ? ""
                            : "?" + FuzzValues.queryValue(random) + "=" + FuzzValues.queryValue(
                                    random));
            return new Request(path, CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)], headers,
                    random.nextBoolean() ? "{\"type\":\"t\",\"data\":1}" : FuzzValues.json(random, 2).text());
        }, this::answered);
    }

    @Test
    void controlCharactersInHeadersAreRefusedByTheHttpLayerWithoutHarm() {
        Random random = new Random(Fuzz.seed());
        for (int i = 0; i < 20; i++) {
            char control = (char) (1 + random.nextInt(0x1f));
            if (control == '\t' || control == '\n' || control == '\r') {
                continue;
            }
            RawRequest.Response response = send("POST", "/v1/topics/t/events",
                    Map.of("Content-Type", "application/json", "ce-id", "a" + control + "b"), "{\"type\":\"t\","
                            + "\"data\":1}");
            // Refused before any route runs (Netty validates header values): a 400 from the HTTP layer, never 5xx.
            assertThat(response.status()).isBetween(400, 499);
        }
        assertThat(send("POST", "/v1/topics/t/events", Map.of("Content-Type", "application/json"),
                "{\"type\":\"t\",\"data\":1}").status()).isEqualTo(202);
    }

    /** A request of the fuzz properties. */
    record Request(String target, String contentType, Map<String, String> headers, String body) {
    }

    private void answered(Request request) {
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        if (!request.contentType().isEmpty()) {
            headers.put("Content-Type", request.contentType());
        }
        ProblemAssertions.answeredOrProblem(send("POST", request.target(), headers, request.body()));
    }
}
