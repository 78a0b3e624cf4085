package dev.quiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;
import dev.quiver.testkit.TestTokens;

/**
 * Ingest's hostile-input suite: publishers without a valid key or token, outside their topics or over their rate are
 * refused before anything is read or written, and a legitimate publisher is not slowed by them.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
@TestProfile(SecurityTest.AuthOn.class)
class SecurityTest extends IngestTestSupport {

    /** Authentication on, with the test keys. */
    public static class AuthOn implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return TestTokens.authConfig();
        }
    }

    private static final String EVENT = "{\"type\":\"t\",\"data\":1}";

    @TestHTTPResource("/")
    URI root;

    private static ValidatableResponse postAs(String authorization, String topic, String body) {
        RequestSpecification request = json(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.post("/v1/topics/{topic}/events", topic).then();
    }

    private static String bearer(String credential) {
        return "Bearer " + credential;
    }

    @Test
    void aKeyPublishesToItsTopicsOnly() {
        String orders = freshTopic("orders");
        postAs(bearer(TestTokens.API_KEY), orders, EVENT).statusCode(202);
        String billing = freshTopic("billing");
        problem(postAs(bearer(TestTokens.API_KEY), billing, EVENT), 403, "forbidden")
                .header("WWW-Authenticate", "Bearer realm=\"quiver\", error=\"insufficient_scope\"");
        assertThat(length(billing)).isZero();
    }

    @Test
    void missingAndUnknownCredentialsAre401WithAChallenge() {
        String topic = freshTopic("orders");
        problem(postAs(null, topic, EVENT), 401, "unauthorized").header("WWW-Authenticate", "Bearer realm=\"quiver\"");
        problem(postAs(bearer("not-a-key-anybody-issued-0123456789abcdef"), topic, EVENT), 401, "unauthorized")
                .header("WWW-Authenticate", "Bearer realm=\"quiver\", error=\"invalid_token\"")
                .body(not(containsString("not-a-key-anybody-issued")));
        problem(postAs("Basic dXNlcjpwYXNz", topic, EVENT), 401, "unauthorized");
        problem(postAs(bearer(TestTokens.API_KEY.substring(1)), topic, EVENT), 401, "unauthorized");
        assertThat(length(topic)).isZero();
    }

    @Test
    void tokensPublishWithTheirPublishClaimAndHostileOnesAre401() {
        String topic = freshTopic("orders");
        postAs(bearer(TestTokens.token("svc").publish("orders.*").rs256()), topic, EVENT).statusCode(202);
        postAs(bearer(TestTokens.token("svc").publish("orders.*").es256()), topic, EVENT).statusCode(202);
        problem(postAs(bearer(TestTokens.token("reader").subscribe("orders.*").hs256()), topic, EVENT), 403,
                "forbidden");
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("alg none", TestTokens.token("eve").publish("*").none());
        hostile.put("algorithm confusion", TestTokens.token("eve").publish("*").confused());
        hostile.put("expired", TestTokens.token("eve").publish("*").expiresInSeconds(-5).hs256());
        hostile.put("wrong audience", TestTokens.token("eve").publish("*").audience("other").hs256());
        hostile.put("forged", TestTokens.token("eve").publish("*").hs256("a-different-secret-long-enough-0123456789"));
        hostile.put("empty sub", TestTokens.token("").publish("*").hs256());
        hostile.put("blank sub", TestTokens.token(" \t").publish("*").es256());
        hostile.forEach((name, token) -> problem(postAs(bearer(token), topic, EVENT), 401, "unauthorized"));
        assertThat(length(topic)).isEqualTo(2);
    }

    @Test
    void aBatchWithOneForbiddenTopicWritesNothing() {
        String orders = freshTopic("orders");
        String secret = freshTopic("secret");
        String body = "[{\"topic\":\"" + orders + "\",\"type\":\"t\",\"data\":1},{\"topic\":\"" + secret
                + "\",\"type\":\"t\",\"data\":2}]";
        problem(json(body).header("Authorization", bearer(TestTokens.API_KEY)).post("/v1/events").then(), 403,
                "forbidden").body("index", equalTo(1));
        assertThat(length(orders)).isZero();
        problem(json(body).post("/v1/events").then(), 401, "unauthorized");
    }

    @Test
    void aPublisherOverItsRateGets429WithRetryAfterAndOthersAreUntouched() {
        String topic = freshTopic("audit");
        // The slow key: 1 event/s, burst 3.
        for (int i = 0; i < 3; i++) {
            postAs(bearer(TestTokens.SLOW_API_KEY), topic, EVENT).statusCode(202);
        }
        problem(postAs(bearer(TestTokens.SLOW_API_KEY), topic, EVENT), 429, "rate-limited")
                .header("Retry-After", "1");
        postAs(bearer(TestTokens.API_KEY), freshTopic("orders"), EVENT).statusCode(202);
        assertThat(length(topic)).isEqualTo(3);
    }

    @Test
    void credentialsAreCheckedBeforeTheBodyIsRead() throws IOException {
        // 1 MiB announced, nothing sent: the answer is 401, not 413 and not a wait for the body.
        String head = "POST /v1/topics/orders.x/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1048576\r\n\r\n";
        assertThat(exchange(head)).startsWith("HTTP/1.1 401");
        // A batch is refused before its body too: anonymous, or from credentials that may publish nothing.
        String batch = "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 4000000\r\n";
        assertThat(exchange(batch + "\r\n")).startsWith("HTTP/1.1 401");
        String reader = TestTokens.token("reader").subscribe("orders.*").hs256();
        assertThat(exchange(batch + "Authorization: Bearer " + reader + "\r\n\r\n")).startsWith("HTTP/1.1 403");
    }

    @Test
    void oversizeHeadersAreRefused() throws IOException {
        String head = "POST /v1/topics/orders.x/events HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(20_000)
                + "\r\nContent-Length: 0\r\n\r\n";
        assertThat(exchange(head)).matches("HTTP/1\\.[01] 431.*");
    }

    @Test
    void aThousandFailedAttemptsAndBadBodiesDoNotDisturbALegitimatePublisher() throws Exception {
        String topic = freshTopic("orders");
        String forged = bearer(TestTokens.token("eve").publish("*").hs256("a-different-secret-long-enough-01234"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = root.resolve("/v1/topics/" + topic + "/events");
        int accepted = 0;
        for (int i = 0; i < 1000; i++) {
            String authorization = i % 2 == 0 ? forged : bearer("guess-" + i + "-0123456789abcdefghijklmnop");
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri).header("Authorization", authorization)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(EVENT))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            if (i % 100 == 50) {
                // Bad bodies from a valid key harm nothing else either.
                postAs(bearer(TestTokens.API_KEY), topic, "{\"type\":").statusCode(400);
                postAs(bearer(TestTokens.API_KEY), topic, "{\"type\":\"t\",\"data\":\"" + "x".repeat(300_000)
                        + "\"}").statusCode(413);
            }
            if (i % 100 == 0) {
                postAs(bearer(TestTokens.API_KEY), topic, EVENT).statusCode(202);
                accepted++;
            }
        }
        assertThat(length(topic)).isEqualTo(accepted);
    }

    private String exchange(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
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
}
