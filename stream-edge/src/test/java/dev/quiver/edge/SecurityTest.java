package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;
import dev.quiver.testkit.TestTokens;

/**
 * The edge's hostile-input suite: every bad credential, topic, Origin, header and pace is refused with its status or
 * close code, while a legitimate client on the same pod keeps receiving every event.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
@TestProfile(SecurityProfile.class)
class SecurityTest extends EdgeTestSupport {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private HttpResponse<String> get(String pathAndQuery, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(root.resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> pollWith(String topic, String authorization) throws Exception {
        return get("/v1/poll?timeout=0&topic=" + topic,
                authorization == null ? Map.of() : Map.of("Authorization", authorization));
    }

    @Test
    void withoutCredentialsOnlyPublicTopicsAreReadable() throws Exception {
        String open = freshTopic("public");
        try (SseClient client = SseClient.open(stream("topic=" + open))) {
            assertThat(client.status()).isEqualTo(200);
            publish(open, "1");
            assertThat(client.next(WAIT).data()).contains("\"data\":1");
        }
        HttpResponse<String> closed = pollWith(freshTopic("orders"), null);
        assertThat(closed.statusCode()).isEqualTo(401);
        assertThat(closed.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"quiver\"");
        assertThat(closed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(closed.body()).contains("urn:quiver:problem:unauthorized");
        // One closed topic among public ones closes the whole request.
        assertThat(pollWith(open + "&topic=" + freshTopic("orders"), null).statusCode()).isEqualTo(401);
    }

    @Test
    void tokensOfEachAlgorithmReadTheirTopicsByHeaderOrQuery() throws Exception {
        List<String> tokens = List.of(TestTokens.token("hs").subscribe("orders.*").hs256(),
                TestTokens.token("rs").subscribe("orders.*").rs256(),
                TestTokens.token("es").subscribe("orders.*").es256());
        for (String token : tokens) {
            String topic = freshTopic("orders");
            try (SseClient byHeader = SseClient.open(stream("topic=" + topic), Map.of("Authorization",
                    bearer(token)));
                    SseClient byQuery = SseClient.open(stream("topic=" + topic + "&access_token=" + token))) {
                assertThat(byHeader.status()).isEqualTo(200);
                assertThat(byQuery.status()).isEqualTo(200);
                publish(topic, "7");
                assertThat(byHeader.next(WAIT).data()).contains("\"data\":7");
                assertThat(byQuery.next(WAIT).data()).contains("\"data\":7");
            }
        }
    }

    @Test
    void hostileTokensAreRefusedWith401() throws Exception {
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("forged (another HS256 secret)",
                TestTokens.token("eve").subscribe("*").hs256("another-secret-that-is-long-enough-0123456789"));
        hostile.put("foreign RSA key with a trusted kid", TestTokens.token("eve").subscribe("*").rs256Foreign());
        hostile.put("alg none", TestTokens.token("eve").subscribe("*").none());
        hostile.put("algorithm confusion", TestTokens.token("eve").subscribe("*").confused());
        hostile.put("expired", TestTokens.token("eve").subscribe("*").expiresInSeconds(-60).hs256());
        hostile.put("not yet valid", TestTokens.token("eve").subscribe("*").notBeforeInSeconds(120).hs256());
        hostile.put("wrong audience", TestTokens.token("eve").subscribe("*").audience("another-service").hs256());
        hostile.put("wrong issuer", TestTokens.token("eve").subscribe("*").issuer("https://evil.test").hs256());
        hostile.put("lifetime too long", TestTokens.token("eve").subscribe("*").expiresInSeconds(7 * 86400).hs256());
        hostile.put("empty sub", TestTokens.token("").subscribe("*").hs256());
        hostile.put("blank sub", TestTokens.token("  ").subscribe("*").hs256());
        hostile.put("garbage", "not.a.token");
        hostile.put("an unknown API key", "some-key-that-nobody-issued-0123456789abcdef");
        String topic = freshTopic("orders");
        for (Map.Entry<String, String> token : hostile.entrySet()) {
            HttpResponse<String> response = pollWith(topic, bearer(token.getValue()));
            assertThat(response.statusCode()).as(token.getKey()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(token.getKey())
                    .hasValue("Bearer realm=\"quiver\", error=\"invalid_token\"");
            assertThat(response.body()).as(token.getKey()).contains("urn:quiver:problem:unauthorized")
                    .doesNotContain(token.getValue());
            try (SseClient sse = SseClient.open(stream("topic=" + topic + "&access_token="
                    + URLEncoder.encode(token.getValue(), StandardCharsets.UTF_8)))) {
                assertThat(sse.status()).as(token.getKey()).isEqualTo(401);
            }
        }
        assertThat(pollWith(topic, "Basic dXNlcjpwYXNz").statusCode()).isEqualTo(401);
        assertThat(pollWith(topic, "Bearer " + "x".repeat(9000)).statusCode()).isEqualTo(401);
        // A publisher key is never taken from the query string.
        assertThat(get("/v1/poll?timeout=0&topic=" + topic + "&access_token=" + TestTokens.API_KEY, Map.of())
                .statusCode()).isEqualTo(401);
    }

    @Test
    void topicsOutsideTheClaimsAre403() throws Exception {
        String token = TestTokens.token("alice").subscribe("orders.*").hs256();
        HttpResponse<String> other = pollWith(freshTopic("billing"), bearer(token));
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("urn:quiver:problem:forbidden");
        assertThat(pollWith(freshTopic("orders") + "&topic=" + freshTopic("billing"), bearer(token)).statusCode())
                .isEqualTo(403);
        assertThat(pollWith(freshTopic("orders"), bearer(token)).statusCode()).isEqualTo(200);
        // A publisher key publishes; it does not read closed topics.
        assertThat(pollWith(freshTopic("orders"), bearer(TestTokens.API_KEY)).statusCode()).isEqualTo(403);
    }

    @Test
    void connectionsAreCountedPerSubject() {
        String topic = freshTopic("orders");
        String alice = bearer(TestTokens.token("alice-limit").subscribe("orders.*").hs256());
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(SseClient.open(stream("topic=" + topic), Map.of("Authorization", alice)));
                assertThat(open.get(i).status()).isEqualTo(200);
            }
            try (SseClient fourth = SseClient.open(stream("topic=" + topic), Map.of("Authorization", alice));
                    SseClient bob = SseClient.open(stream("topic=" + topic), Map.of("Authorization",
                            bearer(TestTokens.token("bob-limit").subscribe("orders.*").hs256())))) {
                assertThat(fourth.status()).isEqualTo(429);
                assertThat(bob.status()).as("another subject from the same address").isEqualTo(200);
            }
        } finally {
            open.forEach(SseClient::close);
        }
    }

    @Test
    void anExpiredTokenEndsItsStreamWithReauth() {
        String topic = freshTopic("orders");
        String token = TestTokens.token("short").subscribe("orders.*").expiresInSeconds(2).hs256();
        try (SseClient client = SseClient.open(stream("topic=" + topic), Map.of("Authorization", bearer(token)))) {
            assertThat(client.status()).isEqualTo(200);
            publish(topic, "1");
            assertThat(client.next(WAIT).data()).contains("\"data\":1");
            // exp (2 s) + grace (1 s), then the stream says why it ends.
            SseClient.Frame reauth = client.next(WAIT);
            assertThat(reauth.event()).isEqualTo("reauth");
            assertThat(reauth.data()).contains("token-expired");
        }
    }

    @Test
    void webSocketHandshakesCheckOriginAndCredentials() {
        String token = TestTokens.token("ws-user").subscribe("orders.*").hs256();
        assertThat(handshake(Map.of("Origin", "https://evil.test"))).startsWith("HTTP/1.1 403");
        assertThat(handshake(Map.of("Origin", "null"))).startsWith("HTTP/1.1 403");
        assertThat(handshake(Map.of("Origin", SecurityProfile.ALLOWED_ORIGIN))).startsWith("HTTP/1.1 101");
        assertThat(handshake(Map.of())).as("not a browser: no Origin").startsWith("HTTP/1.1 101");
        String refused = handshake(Map.of("Authorization", bearer(TestTokens.token("x").none())));
        assertThat(refused).startsWith("HTTP/1.1 401").contains("error=\"invalid_token\"")
                .contains("application/problem+json");
        assertThat(handshake(Map.of("Origin", SecurityProfile.ALLOWED_ORIGIN, "Authorization", bearer(token))))
                .startsWith("HTTP/1.1 101");
    }

    @Test
    void streamsAndPollsAreSharedWithAllowedOriginsOnly() throws Exception {
        String topic = freshTopic("public");
        HttpResponse<String> allowed = get("/v1/poll?timeout=0&topic=" + topic,
                Map.of("Origin", SecurityProfile.ALLOWED_ORIGIN));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(
                SecurityProfile.ALLOWED_ORIGIN);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials")).isNotEqualTo(Optional.of("true"));
        assertThat(get("/v1/poll?timeout=0&topic=" + topic, Map.of("Origin", "https://evil.test")).statusCode())
                .isEqualTo(403);
    }

    @Test
    void webSocketOperationsStayInsideTheClaims() {
        String readable = freshTopic("orders");
        String token = TestTokens.token("ws-alice").subscribe("orders.*").publish("orders.*").hs256();
        try (WsTestClient ws = new WsTestClient(root, null, Map.of("Authorization", bearer(token), "Origin",
                SecurityProfile.ALLOWED_ORIGIN))) {
            ws.send("{\"op\":\"subscribe\",\"topic\":\"" + freshTopic("billing") + "\",\"ref\":\"a\"}");
            assertThat(ws.nextOp("error", WAIT).path("code").asText()).isEqualTo("forbidden");
            ws.send("{\"op\":\"publish\",\"topic\":\"" + freshTopic("billing")
                    + "\",\"ref\":\"b\",\"event\":{\"type\":\"t\",\"data\":1}}");
            assertThat(ws.nextOp("error", WAIT).path("code").asText()).isEqualTo("forbidden");
            ws.send("{\"op\":\"subscribe\",\"topic\":\"" + readable + "\",\"ref\":\"c\"}");
            assertThat(ws.nextOp("subscribed", WAIT).path("topic").asText()).isEqualTo(readable);
            ws.send("{\"op\":\"publish\",\"topic\":\"" + readable
                    + "\",\"ref\":\"d\",\"event\":{\"type\":\"t\",\"data\":2}}");
            Map<String, JsonNode> answers = ws.nextOps(WAIT, "published", "event");
            assertThat(answers.get("published").path("ref").asText()).isEqualTo("d");
            assertThat(answers.get("event").path("event").path("data").asInt()).isEqualTo(2);
        }
        // Without a token: public topics only, and no publishing at all.
        try (WsTestClient anonymous = new WsTestClient(root, null, Map.of("Origin",
                SecurityProfile.ALLOWED_ORIGIN))) {
            anonymous.send("{\"op\":\"publish\",\"topic\":\"" + freshTopic("public")
                    + "\",\"event\":{\"type\":\"t\",\"data\":1}}");
            assertThat(anonymous.nextOp("error", WAIT).path("code").asText()).isEqualTo("forbidden");
            anonymous.send("{\"op\":\"subscribe\",\"topic\":\"" + freshTopic("public") + "\"}");
            assertThat(anonymous.nextOp("subscribed", WAIT)).isNotNull();
        }
    }

    @Test
    void aPublisherKeyRemovedFromTheKeyFileStopsPublishingOnItsOpenSocket() throws Exception {
        String topic = freshTopic("public");
        try (WsTestClient ws = new WsTestClient(root, null, Map.of("Authorization", bearer(SecurityProfile.FILE_KEY),
                "Origin", SecurityProfile.ALLOWED_ORIGIN))) {
            ws.send("{\"op\":\"publish\",\"topic\":\"" + topic
                    + "\",\"ref\":\"a\",\"event\":{\"type\":\"t\",\"data\":1}}");
            assertThat(ws.nextOp("published", WAIT).path("ref").asText()).isEqualTo("a");
            Files.writeString(SecurityProfile.KEY_FILE, "# rotated away\n");
            // The file is re-read every 500 ms; publish until the socket is closed.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!ws.closed.isDone() && System.nanoTime() < deadline) {
                ws.send("{\"op\":\"publish\",\"topic\":\"" + topic + "\",\"event\":{\"type\":\"t\",\"data\":2}}");
                Thread.sleep(100);
            }
            assertThat(ws.awaitClose(WAIT).code()).isEqualTo(1008);
        }
    }

    @Test
    void anExpiredTokenClosesItsWebSocketWith1008() {
        String token = TestTokens.token("ws-short").subscribe("orders.*").expiresInSeconds(2).hs256();
        try (WsTestClient ws = new WsTestClient(root, null, Map.of("Authorization", bearer(token), "Origin",
                SecurityProfile.ALLOWED_ORIGIN))) {
            assertThat(ws.awaitClose(WAIT).code()).isEqualTo(1008);
        }
    }

    @Test
    void malformedAndOversizeFramesCloseOnlyTheirOwnSocket() {
        String topic = freshTopic("public");
        try (SseClient legit = SseClient.open(stream("topic=" + topic));
                WsTestClient garbage = new WsTestClient(root, null, Map.of("Origin", SecurityProfile.ALLOWED_ORIGIN));
                WsTestClient huge = new WsTestClient(root, null, Map.of("Origin", SecurityProfile.ALLOWED_ORIGIN))) {
            assertThat(legit.status()).isEqualTo(200);
            publish(topic, "0");
            for (int i = 0; i < 3; i++) {
                garbage.sendText("{\"op\":\"subscribe\",");
            }
            huge.sendText("{\"op\":\"ping\",\"ref\":\"" + "x".repeat(70_000) + "\"}");
            publish(topic, "1");
            assertThat(garbage.awaitClose(WAIT).code()).isEqualTo(4400);
            assertThat(huge.awaitClose(WAIT).code()).isEqualTo(1009);
            publish(topic, "2");
            List<SseClient.Frame> frames = legit.take(3, WAIT);
            for (int i = 0; i < 3; i++) {
                assertThat(frames.get(i).data()).contains("\"data\":" + i);
            }
        }
    }

    @Test
    void injectionAttemptsStayInsideTheirFields() throws Exception {
        String topic = freshTopic("public");
        // A topic or cursor cannot smuggle lines into the response or the stream.
        assertThat(get("/v1/poll?timeout=0&topic=" + URLEncoder.encode(topic + "\r\nX-Evil: 1",
                StandardCharsets.UTF_8), Map.of()).statusCode()).isEqualTo(400);
        try (RawHttp raw = RawHttp.get(root, "/v1/stream?topic=" + topic + "&lastEventId="
                + URLEncoder.encode("x\n\nevent: reset", StandardCharsets.UTF_8), "127.0.0.1", 0)) {
            assertThat(raw.status()).isEqualTo(400);
        }
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            publish(topic, "\"line\\n\\nevent: reset\\ndata: {}\\n\\nid: 0\"");
            publish(topic, "2");
            List<SseClient.Frame> frames = client.take(2, WAIT);
            assertThat(frames).extracting(SseClient.Frame::event).containsOnlyNulls();
            assertThat(frames.get(0).data()).contains("line\\n\\nevent: reset");
            assertThat(frames.get(1).data()).contains("\"data\":2");
        }
    }

    @Test
    void oversizeRequestLinesAndHeadersAreRefusedBeforeRouting() throws Exception {
        String topic = freshTopic("public");
        String head = "GET /v1/poll?timeout=0&topic=" + topic + "&pad=" + "a".repeat(17_000)
                + " HTTP/1.1\r\nHost: x\r\n\r\n";
        assertThat(rawExchange(head)).matches("HTTP/1\\.[01] 414.*");
        String headers = "GET /v1/poll?timeout=0&topic=" + topic + " HTTP/1.1\r\nHost: x\r\nX-Pad: "
                + "a".repeat(17_000)
                + "\r\n\r\n";
        assertThat(rawExchange(headers)).matches("HTTP/1\\.[01] 431.*");
    }

    private String rawExchange(String request) throws IOException {
        return rawExchangeFrom("127.0.0.1", request);
    }

    /** A WebSocket handshake with {@code headers}; answers the response head. */
    private String handshake(Map<String, String> headers) {
        try (Socket socket = connectFrom("127.0.0.1")) {
            socket.setSoTimeout(10_000);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            StringBuilder request = new StringBuilder("GET /v1/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                    + "\r\nSec-WebSocket-Version: 13\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            int c;
            while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) != -1) {
                head.append((char) c);
            }
            return head.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void presenceShowsATokensSubjectAndInfoAndOnlyToThoseWhoMaySubscribe() {
        String topic = freshTopic("room");
        String alice = bearer(TestTokens.token("alice").subscribe("room.*")
                .claim("quiver.info", Map.of("name", "Alice", "color", "#0a0")).es256());
        String bob = bearer(TestTokens.token("bob").subscribe("room.*").es256());
        try (SseClient watcher = SseClient.open(stream("topic=" + topic + "&presence=1&name=mallory"),
                Map.of("Authorization", bob))) {
            assertThat(watcher.status()).isEqualTo(200);
            // With authentication on, a name parameter is ignored: the token's sub is the identity.
            SseClient.Frame own = watcher.next(WAIT);
            assertThat(own.event()).isEqualTo("join");
            assertThat(own.data()).contains("\"sub\":\"bob\"");
            try (SseClient present = SseClient.open(stream("topic=" + topic), Map.of("Authorization", alice))) {
                SseClient.Frame join = watcher.next(WAIT);
                assertThat(join.event()).isEqualTo("join");
                assertThat(join.data()).contains("\"sub\":\"alice\"").contains("\"name\":\"Alice\"");
            }
        }
        String outsider = bearer(TestTokens.token("eve").subscribe("other.*").es256());
        try (WsTestClient ws = new WsTestClient(root, null, Map.of("Authorization", outsider, "Origin",
                SecurityProfile.ALLOWED_ORIGIN))) {
            ws.send("{\"op\":\"presence\",\"ref\":\"p\",\"topic\":\"" + topic + "\"}");
            assertThat(ws.nextOp("error", WAIT).path("code").asText()).isEqualTo("forbidden");
        }
        given().header("Authorization", outsider).get(stream("topic=" + topic + "&presence=1")).then().statusCode(403);
        String bulky = bearer(TestTokens.token("carl").subscribe("room.*")
                .claim("quiver.info", Map.of("bio", "x".repeat(1100))).es256());
        given().header("Authorization", bulky).get(stream("topic=" + topic)).then().statusCode(401);
    }
}
