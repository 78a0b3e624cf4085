package dev.quiver.contract.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z9", "orders:eu-1.v2_x", "0"})
    void accepts(String topic) {
        assertThat(Topics.isValid(topic)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", ".a", ":a", "_a", "a b", "a/b", "a{b}", "é", "a\n", "a*"})
    void rejects(String topic) {
        assertThat(Topics.isValid(topic)).isFalse();
    }

    @org.junit.jupiter.api.Test
    void lengthIsAtMost200() {
        assertThat(Topics.isValid("a".repeat(200))).isTrue();
        assertThat(Topics.isValid("a".repeat(201))).isFalse();
        assertThat(Topics.isValid(null)).isFalse();
    }
}
