package dev.quiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.testkit.BrokerTestResource;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@TestProfile(SlowRedisTest.ShortTimeout.class)
class SlowRedisTest extends IngestTestSupport {

    /** A short Redis timeout, so a stalled Redis shows within the test's patience. */
    public static class ShortTimeout implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.events.redis-timeout", "300ms");
        }
    }

    @Test
    void stalledRedisMeans503WithRetryAfterNotAHang() {
        String topic = freshTopic("slow");
        post(topic, "{\"type\":\"x\",\"data\":0}").statusCode(202);
        // Redis stops serving every client for 3 s: connected, but answering nothing.
        redis.call("CLIENT", "PAUSE", "3000", "ALL");
        long start = System.nanoTime();
        problem(post(topic, "{\"type\":\"x\",\"data\":1}"), 503, "backend-unavailable")
                .header("Retry-After", notNullValue());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> post(topic, "{\"type\":\"x\",\"data\":2}").statusCode(202));
    }
}
