package dev.quiver.contract.cursor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.quiver.contract.redis.StreamId;

class TopicCursorTest {

    @Test
    void roundTrips() {
        TopicCursor cursor = new TopicCursor("abcdz234", new StreamId(1700000000000L, 3));
        assertThat(cursor.toString()).isEqualTo("abcdz234:1700000000000-3");
        assertThat(TopicCursor.parse(cursor.toString())).isEqualTo(cursor);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abcdz234", "abcdz234:", "abcdz23:1-0", "abcdz2345:1-0", "ABCDZ234:1-0",
            "abcdz218:1-0", "abcdz234:1", "abcdz234:1-0\n", ":1-0"})
    void rejectsMalformedCursors(String text) {
        assertThatThrownBy(() -> TopicCursor.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
