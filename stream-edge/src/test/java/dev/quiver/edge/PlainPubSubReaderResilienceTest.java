package dev.quiver.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.RedisTestResource;

/**
 * {@link ReaderResilience} on a Redis without sharded Pub/Sub (Redis 6, or the commands renamed away): the append
 * script falls back to {@code PUBLISH} and the live reader to {@code SUBSCRIBE}, with the same guarantees.
 */
@QuarkusTest
@WithTestResource(value = RedisTestResource.class, initArgs = @ResourceArg(name = "args", value = "--rename-command SPUBLISH '' --rename-command SSUBSCRIBE '' --rename-command SUNSUBSCRIBE ''"))
class PlainPubSubReaderResilienceTest extends ReaderResilience {

    @Test
    void liveEventsTravelOnPlainPubSub() {
        String topic = freshTopic("plain");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            publishMany(topic, 0, 3);
            assertThat(client.take(3, WAIT)).hasSize(3);
        }
        String stats = (String) redis.call("INFO", "commandstats");
        assertThat(stats).contains("cmdstat_subscribe:").contains("cmdstat_publish:").doesNotContain("cmdstat_ssub");
    }
}
