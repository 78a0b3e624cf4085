package dev.quiver.contract.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class TopicPatternsTest {

    @Test
    void starMatchesAnyRunAndEverythingElseIsLiteral() {
        TopicPatterns patterns = TopicPatterns.of(List.of("orders:*", "a.b", "*x*"));
        assertThat(patterns.matches("orders:")).isTrue();
        assertThat(patterns.matches("orders:eu:1")).isTrue();
        assertThat(patterns.matches("a.b")).isTrue();
        assertThat(patterns.matches("aXb")).as("a dot is literal").isFalse();
        assertThat(patterns.matches("boxes")).isTrue();
        assertThat(patterns.matches("order")).isFalse();
        assertThat(patterns.matches(null)).isFalse();
    }

    @Test
    void loneStarMatchesEverythingAndNoPatternsMatchNothing() {
        assertThat(TopicPatterns.of(List.of("*")).matches("anything")).isTrue();
        assertThat(TopicPatterns.of(List.of(" ", "")).isEmpty()).isTrue();
        assertThat(TopicPatterns.none().matches("anything")).isFalse();
    }

    @Test
    void manyStarsOnALongTopicStayFast() {
        TopicPatterns patterns = TopicPatterns.of(List.of("a*a*a*a*a*a*a*a*a*a*a*a*a*b"));
        // A regular expression of this shape backtracks for ages on 200 characters; the scan answers at once.
        assertThat(patterns.matches("a".repeat(200))).isFalse();
        assertThat(patterns.matches("a".repeat(199) + "b")).isTrue();
        assertThat(TopicPatterns.of(List.of("a**b")).globs()).containsExactly("a*b");
    }

    @Test
    void regexCharactersInGlobsAreLiteral() {
        TopicPatterns patterns = TopicPatterns.of(List.of("a+(b)"));
        assertThat(patterns.matches("a+(b)")).isTrue();
        assertThat(patterns.matches("aa(b)")).isFalse();
    }
}
