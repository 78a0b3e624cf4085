package dev.quiver.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.redis.client.Redis;

import dev.quiver.contract.nats.NatsPresence;
import dev.quiver.contract.nats.PresenceRecord;
import dev.quiver.contract.redis.LuaScript;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

/**
 * {@code /v1/topics/{topic}/presence}: the members edge pods wrote (played here by the presence script itself, as two
 * pods would call it), in pages, with the counts; a dead pod's members never listed.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@TestProfile(PresenceRestTest.Presence.class)
@EveryBroker
class PresenceRestTest extends SnapshotTestSupport {

    /** Presence on {@code room.*}. */
    public static class Presence implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // On NATS a record lives for the timeout (the stream's age limit) unless renewed.
            return Map.of("quiver.presence.topics", "room.*", "quiver.presence.timeout", "2s");
        }
    }

    @Inject
    Redis client;

    @Inject
    Instance<NatsPresence> natsPresence;

    private long version;

    /** A pod's members: on Redis its changes with a lease; on NATS its whole record (the lease is the timeout). */
    private void update(String topic, String pod, long lease, Integer anonymous, String... subjects) {
        if (nats != null) {
            List<PresenceRecord.Member> members = new ArrayList<>();
            for (String subject : subjects) {
                members.add(new PresenceRecord.Member(subject, subject.equals("ann")
                        ? "{\"name\":\"Ann\",\"color\":\"#c00\"}"
                        : null, PresenceRecord.since(System.currentTimeMillis())));
            }
            natsPresence.get().publish(topic, pod, new PresenceRecord(++version, anonymous == null ? 0 : anonymous,
                    members)).await().atMost(Duration.ofSeconds(10));
            return;
        }
        Map<String, String> joins = new LinkedHashMap<>();
        for (String subject : subjects) {
            joins.put(subject, subject.equals("ann") ? "{\"name\":\"Ann\",\"color\":\"#c00\"}" : "");
        }
        LuaScript.PRESENCE.run(client, PresenceLayout.keys(topic),
                PresenceLayout.updateArgs(pod, lease, anonymous, false, joins, List.of()))
                .await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void listsMembersOfEveryPodOnceInPagesWithTheCounts() {
        String topic = freshTopic("room");
        update(topic, "pod-a", 60_000, 2, "ann", "bo", "cy");
        update(topic, "pod-b", 60_000, 1, "bo", "di");

        JsonPath first = given().get("/v1/topics/{topic}/presence?limit=3", topic).then().statusCode(200)
                .header("Cache-Control", "no-store").body("topic", equalTo(topic)).body("count", equalTo(4))
                .body("anonymous", equalTo(3)).extract().jsonPath();
        assertThat(first.getList("members.sub")).containsExactly("ann", "bo", "cy");
        assertThat(first.getString("members[0].info.name")).isEqualTo("Ann");
        assertThat(first.getString("members[0].since")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        String next = first.getString("next");
        assertThat(next).isEqualTo("/v1/topics/" + topic + "/presence?after=cy&limit=3");

        given().get(next).then().statusCode(200).body("members.sub", equalTo(List.of("di")))
                .body("next", nullValue());
        given().get("/v1/topics/{topic}/presence/count", topic).then().statusCode(200)
                .body("count", equalTo(4)).body("anonymous", equalTo(3)).body("members", nullValue());
    }

    @Test
    void aPodWhoseLeaseEndedIsNeverListedEvenWithNoPodLeftToNotice() throws InterruptedException {
        String topic = freshTopic("room");
        if (nats == null) {
            update(topic, "pod-dead", 300, 4, "ann", "bo");
            update(topic, "pod-live", 60_000, null, "bo");
            Thread.sleep(400);
            given().get("/v1/topics/{topic}/presence", topic).then().statusCode(200)
                    .body("members.sub", equalTo(List.of("bo"))).body("count", equalTo(1))
                    .body("anonymous", equalTo(0));
            return;
        }
        // NATS: the dead pod's record ages out 2 s after it was written (the stream's age limit); the live pod keeps
        // renewing its own.
        long written = System.nanoTime();
        update(topic, "pod-dead", 0, 4, "ann", "bo");
        update(topic, "pod-live", 0, null, "bo");
        JsonPath listed;
        while (true) {
            listed = given().get("/v1/topics/{topic}/presence", topic).then().statusCode(200).extract().jsonPath();
            if (listed.getInt("count") == 1) {
                break;
            }
            assertThat(Duration.ofNanos(System.nanoTime() - written)).as("the dead pod's record aged out")
                    .isLessThan(Duration.ofSeconds(8));
            Thread.sleep(200);
            update(topic, "pod-live", 0, null, "bo");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - written)).isGreaterThan(Duration.ofMillis(1900));
        assertThat(listed.getList("members.sub")).containsExactly("bo");
        assertThat(listed.getInt("anonymous")).isZero();
    }

    @Test
    void badRequestsAreProblems() {
        given().get("/v1/topics/{topic}/presence", freshTopic("plain")).then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("urn:quiver:problem:not-found"));
        given().get("/v1/topics/{topic}/presence/count", freshTopic("plain")).then().statusCode(404);
        given().get("/v1/topics/{topic}/presence", "bad topic!").then().statusCode(400)
                .body("type", equalTo("urn:quiver:problem:invalid-topic"));
        given().get("/v1/topics/{topic}/presence?limit=0", freshTopic("room")).then().statusCode(400)
                .body("field", equalTo("query:limit"));
        given().get("/v1/topics/{topic}/presence?limit=1001", freshTopic("room")).then().statusCode(400);
        given().get("/v1/topics/{topic}/presence", freshTopic("room")).then().statusCode(200)
                .body("count", equalTo(0)).body("members", equalTo(List.of()));
    }
}
