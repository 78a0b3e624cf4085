package dev.quiver.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
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

/** snapshot-api's hostile-input suite: reading a topic's state needs the right to subscribe to it. */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
@TestProfile(SecurityTest.AuthOn.class)
class SecurityTest extends SnapshotTestSupport {

    static final String ALLOWED_ORIGIN = "https://app.quiver.test";

    @TestHTTPResource("/")
    URI root;

    /** Authentication on, with the test keys, and one allowed browser origin. */
    public static class AuthOn implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(TestTokens.authConfig());
            config.put("quarkus.http.cors.origins", ALLOWED_ORIGIN);
            config.put("quiver.presence.topics", "orders.*,billing.*");
            return config;
        }
    }

    private static ValidatableResponse snapshot(String topic, String authorization) {
        RequestSpecification request = given();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.get("/v1/topics/{topic}/snapshot", topic).then();
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status, String slug) {
        return response.statusCode(status).contentType("application/problem+json")
                .body("type", equalTo("urn:quiver:problem:" + slug));
    }

    @Test
    void publicTopicsNeedNoTokenOthersDo() {
        String open = freshTopic("public");
        upsert(open, "k", "1");
        snapshot(open, null).statusCode(200).body("entities[0].key", equalTo("k"));
        String closed = freshTopic("orders");
        problem(snapshot(closed, null), 401, "unauthorized").header("WWW-Authenticate", "Bearer realm=\"quiver\"");
        problem(given().get("/v1/topics/{topic}/entities/k", closed).then(), 401, "unauthorized");
        problem(given().get("/v1/topics/{topic}/events", closed).then(), 401, "unauthorized");
    }

    @Test
    void aTopicsPresenceNeedsTheRightToSubscribeToIt() {
        String topic = freshTopic("orders");
        String token = TestTokens.token("alice").subscribe("orders.*").es256();
        given().header("Authorization", "Bearer " + token).get("/v1/topics/{topic}/presence", topic).then()
                .statusCode(200).body("count", equalTo(0));
        given().get("/v1/topics/{topic}/presence/count?access_token=" + token, topic).then().statusCode(200);
        problem(given().get("/v1/topics/{topic}/presence", topic).then(), 401, "unauthorized");
        problem(given().header("Authorization", "Bearer " + token)
                .get("/v1/topics/{topic}/presence", freshTopic("billing")).then(), 403, "forbidden");
        problem(given().header("Authorization", "Bearer " + token)
                .get("/v1/topics/{topic}/presence/count", freshTopic("billing")).then(), 403, "forbidden");
    }

    @Test
    void tokensReadTheirTopicsByHeaderOrQueryAndNothingElse() {
        String topic = freshTopic("orders");
        upsert(topic, "k", "1");
        String token = TestTokens.token("alice").subscribe("orders.*").es256();
        snapshot(topic, "Bearer " + token).statusCode(200);
        given().queryParam("access_token", token).get("/v1/topics/{topic}/entities/k", topic).then().statusCode(200);
        problem(snapshot(freshTopic("billing"), "Bearer " + token), 403, "forbidden");
        // A publisher key publishes; it does not read.
        problem(snapshot(topic, "Bearer " + TestTokens.API_KEY), 403, "forbidden");
    }

    @Test
    void hostileTokensAre401AndNeverEchoed() {
        String topic = freshTopic("orders");
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("alg none", TestTokens.token("eve").subscribe("*").none());
        hostile.put("algorithm confusion", TestTokens.token("eve").subscribe("*").confused());
        hostile.put("foreign key", TestTokens.token("eve").subscribe("*").rs256Foreign());
        hostile.put("expired", TestTokens.token("eve").subscribe("*").expiresInSeconds(-5).rs256());
        hostile.put("wrong audience", TestTokens.token("eve").subscribe("*").audience("other").es256());
        hostile.put("empty sub", TestTokens.token("").subscribe("*").es256());
        hostile.forEach((name, token) -> problem(snapshot(topic, "Bearer " + token), 401, "unauthorized")
                .body(not(containsString(token))));
    }

    @Test
    void aThousandFailedAttemptsDoNotDisturbALegitimateReader() throws Exception {
        String topic = freshTopic("orders");
        upsert(topic, "k", "1");
        String forged = "Bearer " + TestTokens.token("eve").subscribe("*").hs256("a-different-secret-long-enough-0123");
        String legit = "Bearer " + TestTokens.token("alice").subscribe("orders.*").hs256();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = root.resolve("/v1/topics/" + topic + "/snapshot");
        for (int i = 0; i < 1000; i++) {
            assertThat(http.send(HttpRequest.newBuilder(uri).header("Authorization", forged).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
            if (i % 100 == 0) {
                assertThat(http.send(HttpRequest.newBuilder(uri).header("Authorization", legit).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).contains("\"key\":\"k\"");
            }
        }
    }

    @Test
    void corsAnswersOnlyTheAllowedOriginAndNeverWithCredentials() {
        String topic = freshTopic("public");
        given().header("Origin", ALLOWED_ORIGIN).get("/v1/topics/{topic}/snapshot", topic).then().statusCode(200)
                .header("Access-Control-Allow-Origin", ALLOWED_ORIGIN)
                .header("Access-Control-Allow-Credentials", not(equalTo("true")));
        given().header("Origin", "https://evil.test").get("/v1/topics/{topic}/snapshot", topic).then()
                .statusCode(403).header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "https://evil.test").header("Access-Control-Request-Method", "GET")
                .options("/v1/topics/{topic}/snapshot", topic).then().statusCode(403)
                .header("Access-Control-Allow-Origin", nullValue());
    }
}
