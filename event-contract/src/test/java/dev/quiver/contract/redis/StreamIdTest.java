package dev.quiver.contract.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamIdTest {

    @Test
    void parsesComparesAndPrints() {
        StreamId id = StreamId.parse("1700000000123-7");
        assertThat(id).isEqualTo(new StreamId(1700000000123L, 7));
        assertThat(id.toString()).isEqualTo("1700000000123-7");
        assertThat(id.time()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(StreamId.parse("5-10")).isGreaterThan(StreamId.parse("5-9"));
        assertThat(StreamId.parse("6-0")).isGreaterThan(StreamId.parse("5-99"));
        assertThat(StreamId.ZERO.isBefore(StreamId.parse("0-1"))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "1", "1-", "-1", "a-1", "1-b", "1-2-3", "+1-2", "1- 2",
            "99999999999999999999999-0",
            "1-99999999999999999999999", "１-2"})
    void rejectsEverythingElse(String text) {
        assertThatThrownBy(() -> StreamId.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
