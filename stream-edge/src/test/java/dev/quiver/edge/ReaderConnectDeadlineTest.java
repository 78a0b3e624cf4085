package dev.quiver.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A Redis node that accepts the live reader's connection and never answers must not hold the reader: the Redis
 * client has no deadline of its own for that, so without {@code quiver.edge.reader-connect-timeout} the reader would
 * wait forever and its subscribers would get nothing more.
 */
@QuarkusTest
@WithTestResource(SilentReaderResource.class)
class ReaderConnectDeadlineTest extends EdgeTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aConnectionThatIsNeverAnsweredIsGivenUpAndTheReaderComesBack() {
        String topic = freshTopic("silent");
        try (SseClient client = SseClient.open(stream("topic=" + topic))) {
            publish(topic, "1");
            assertThat(client.take(1, WAIT)).hasSize(1);
            // The reader loses its node; its next connection is accepted and never answered.
            SilentReaderResource.proxy.silenceNext(1);
            SilentReaderResource.proxy.dropAll();
            publish(topic, "2");
            assertThat(client.take(1, Duration.ofSeconds(15)).get(0).data()).contains("\"data\":2");
        }
    }
}
