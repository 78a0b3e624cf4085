package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisServerExtension.class)
class RedisServerTest {

    @Test
    void answersCommandsAndDecodesReplies(RedisServer redis) {
        redis.flushAll();
        assertThat(redis.call("SET", "k", "välue\r\n")).isEqualTo("OK");
        assertThat(redis.call("GET", "k")).isEqualTo("välue\r\n");
        assertThat(redis.call("GET", "missing")).isNull();
        assertThat(redis.call("RPUSH", "list", "a", "b")).isEqualTo(2L);
        assertThat(redis.call("LRANGE", "list", "0", "-1")).isEqualTo(List.of("a", "b"));
        assertThatThrownBy(() -> redis.call("NOSUCHCOMMAND")).isInstanceOf(RespClient.RedisErrorException.class);
    }

    @Test
    void restartKeepsThePortAndLosesTheData(RedisServer redis) {
        redis.call("SET", "k", "v");
        redis.stop();
        assertThat(redis.isRunning()).isFalse();
        assertThatThrownBy(() -> redis.call("PING")).isInstanceOf(UncheckedIOException.class);
        redis.restart();
        assertThat(redis.call("PING")).isEqualTo("PONG");
        assertThat(redis.call("GET", "k")).isNull();
    }

    @Test
    void embeddedFallbackBinaryRuns() throws Exception {
        // The fallback for machines without redis-server must really work, not just exist.
        try (RedisServer embedded = RedisServer.start(RedisServer.embeddedExecutable())) {
            assertThat(embedded.call("PING")).isEqualTo("PONG");
            assertThat(embedded.call("XADD", "s", "*", "f", "v")).asString().matches("\\d+-\\d+");
        }
    }
}
