package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.testkit.BrokerTestResource;

/** {@link ReaderResilience} with the {@code xread} live reader. */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@TestProfile(XreadReaderResilienceTest.Xread.class)
class XreadReaderResilienceTest extends ReaderResilience {

    /** One blocking XREAD over every watched topic. */
    public static class Xread implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.edge.live-source", "xread", "quiver.presence.topics", "room.*",
                    "quiver.presence.flush-interval", "50ms");
        }
    }

    /** Joins and leaves ride on the Pub/Sub channels this reader does not read: asking for them is refused. */
    @Test
    void joinsAndLeavesNeedThePubSubReaderButMembershipIsKept() throws InterruptedException {
        String topic = freshTopic("room");
        given().get(stream("topic=" + topic + "&presence=1")).then().statusCode(400)
                .body("detail", containsString("live-source=pubsub")).body("field", org.hamcrest.Matchers.is(
                        "query:presence"));
        try (SseClient ann = SseClient.open(stream("topic=" + topic + "&name=ann"))) {
            assertThat(ann.status()).isEqualTo(200);
            long deadline = System.nanoTime() + WAIT.toNanos();
            Object members = null;
            while (System.nanoTime() < deadline) {
                members = redis.call("HKEYS", new TopicKeys(topic).presenceMembers());
                if (List.of("ann").equals(members)) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(members).isEqualTo(List.of("ann"));
        }
    }
}
