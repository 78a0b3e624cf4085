package dev.quiver.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
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
 * Whatever reaches snapshot-api gets a success or a problem+json, never a 5xx; every key can be read, dot segments
 * included; stored data is served exactly (#15).
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class HostileInputTest extends SnapshotTestSupport {

    private static final String[] HEADERS = {"If-None-Match", "Accept", "Authorization", "Range", "X-Forwarded-For"};
    private static final String[] METHODS = {"GET", "GET", "GET", "HEAD", "POST", "DELETE", "OPTIONS"};

    @TestHTTPResource("/")
    URI root;

    private RawRequest.Response send(String method, String target, Map<String, String> headers) {
        return RawRequest.send(root.getPort(), method, target, headers, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH"})
    void aWrongMethodIs405WithAllow(String method) {
        for (String path : new String[]{"/v1/topics/t/snapshot", "/v1/topics/t/entities/k", "/v1/topics/t/events"}) {
            RawRequest.Response response = send(method, path, Map.of());
            assertThat(response.status()).as(method + " " + path).isEqualTo(405);
            assertThat(response.header("Allow")).isEqualTo("GET, HEAD");
            assertThat(ProblemAssertions.answeredOrProblem(response)).isEqualTo("method-not-allowed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/topics/t/entities/a%G1", "/v1/topics/t/snapshot?after=%zz",
            "/v1/topics/t/events?limit=%%%", "/v1/topics/%/snapshot", "/v1/topics/t/entities/%"})
    void aBadPercentEscapeIs400WithAProblem(String target) {
        RawRequest.Response response = send("GET", target, Map.of());
        assertThat(response.status()).isEqualTo(400);
        assertThat(ProblemAssertions.answeredOrProblem(response)).isEqualTo("invalid-request");
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "...", ".%2E", "%2E%2E", "%2e", "%2E.", "%2e%2E"})
    void dotSegmentKeysCanBeRead(String segment) {
        String key = segment.replaceAll("%2[eE]", ".");
        String topic = freshTopic("dots");
        String id = upsert(topic, key, "{\"k\":\"" + key + "\"}");
        upsert(topic, "other", "1");
        RawRequest.Response response = send("GET", "/v1/topics/" + topic + "/entities/" + segment, Map.of());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.text()).contains("\"key\":\"" + key + "\"", "\"id\":\"" + id + "\"",
                "\"data\":{\"k\":\"" + key + "\"}");
    }

    @Test
    void everyKeyAndDataAreServedExactly() {
        Fuzz.check("snapshot entities", 150, random -> new Entity(key(random), FuzzValues.json(random, 4)),
                entity -> {
                    String topic = freshTopic("fuzz");
                    // Stored as ingest stores it: the compact form (ingest's own tests check that).
                    upsert(topic, entity.key(), entity.data().compact());
                    String encoded = URLEncoder.encode(entity.key(), StandardCharsets.UTF_8).replace("+", "%20");
                    RawRequest.Response one = send("GET", "/v1/topics/" + topic + "/entities/" + encoded, Map.of());
                    assertThat(one.status()).as(one.text()).isEqualTo(200);
                    assertThat(one.text()).contains("\"data\":" + entity.data().compact() + ",");
                    RawRequest.Response all = send("GET", "/v1/topics/" + topic + "/snapshot", Map.of());
                    assertThat(all.text()).contains("\"data\":" + entity.data().compact() + ",");
                });
    }

    /** An entity of the fuzz property. */
    record Entity(String key, FuzzValues.Json data) {
    }

    /** A valid key (no control characters, no unpaired surrogates) made of hostile text. */
    private static String key(Random random) {
        StringBuilder key = new StringBuilder();
        String text = FuzzValues.hostileText(random) + (random.nextInt(4) == 0 ? "/../%2F" : "");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean surrogate = Character.isSurrogate(c);
            boolean paired = surrogate && i + 1 < text.length() && Character.isHighSurrogate(c)
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                key.append(c).append(text.charAt(++i));
            } else if (!surrogate && c >= 0x20 && !(c >= 0x7f && c < 0xa0)) {
                key.append(c);
            }
        }
        return key.isEmpty() ? "k" : key.toString();
    }

    @Test
    void hostilePathsQueriesAndHeadersAnswerProblems() {
        Fuzz.check("snapshot hostile requests", 300, random -> {
            String topic = random.nextInt(3) == 0 ? "fuzz.s" : FuzzValues.queryValue(random);
            String target = "/v1/topics/" + topic + switch (random.nextInt(3)) {
                case 0 -> "/snapshot?limit=" + FuzzValues.queryValue(random) + "&after=" + FuzzValues.queryValue(random)
                        + "&walk=" + FuzzValues.queryValue(random);
                case 1 -> "/entities/" + FuzzValues.queryValue(random);
                default -> "/events?after=" + FuzzValues.queryValue(random) + "&limit=" + FuzzValues.queryValue(random);
            };
            Map<String, String> headers = new LinkedHashMap<>();
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                headers.put(HEADERS[random.nextInt(HEADERS.length)], FuzzValues.headerValue(random));
            }
            return new Request(METHODS[random.nextInt(METHODS.length)], target, headers);
        }, request -> {
            RawRequest.Response response = send(request.method(), request.target(), request.headers());
            if (request.method().equals("HEAD")) {
                // The same head as GET, without the body.
                assertThat(response.status()).isLessThan(500);
                if (response.status() >= 400) {
                    assertThat(response.header("content-type")).startsWith("application/problem+json");
                }
            } else {
                ProblemAssertions.answeredOrProblem(response);
            }
        });
    }

    /** A request of the fuzz property. */
    record Request(String method, String target, Map<String, String> headers) {
    }
}
