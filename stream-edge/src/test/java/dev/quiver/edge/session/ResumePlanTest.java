package dev.quiver.edge.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.quiver.contract.cursor.CompositeCursor;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;

/** Every resume case docs/protocol.md names, as a table: client cursor, head, the topic's facts, the plan. */
class ResumePlanTest {

    private static final String E1 = "aaaaaaaa";
    private static final String E2 = "bbbbbbbb";

    private static TopicPosition at(String wire) {
        return wire == null ? null : TopicPosition.parseCursor(wire);
    }

    private static TopicMeta facts(String epoch, String cursor, String floor) {
        return new TopicMeta(epoch, cursor == null ? null : StreamId.parse(cursor),
                floor == null ? null : StreamId.parse(floor));
    }

    private static ResumePlan live(String after, boolean recovered) {
        return new ResumePlan.Live(at(after), recovered);
    }

    private static ResumePlan replay(String from) {
        return new ResumePlan.Replay(at(from));
    }

    private static ResumePlan reset(ResetReason reason, String head) {
        return new ResumePlan.Reset(reason, at(head));
    }

    static Stream<Arguments> cases() {
        String head = E1 + ":5-0";
        TopicMeta current = facts(E1, "5-0", null);
        return Stream.of(
                // case, client cursor, head, facts (null: not read), expected
                Arguments.of("no cursor: live from the head", null, head, null, live(head, false)),
                Arguments.of("no cursor, unknown topic", null, "-", null, live("-", false)),
                Arguments.of("'-' while the topic has no history", "-", "-", null, live("-", true)),
                Arguments.of("'-' after the topic got history: all of it", "-", head, current, replay(E1 + ":0-0")),
                Arguments.of("'-' after the topic got history and trimmed some", "-", head, facts(E1, "5-0", "2-0"),
                        reset(ResetReason.EXPIRED, head)),
                Arguments.of("a cursor for a topic without history", E1 + ":3-0", "-", null,
                        reset(ResetReason.UNKNOWN, "-")),
                Arguments.of("another epoch", E2 + ":3-0", head, null, reset(ResetReason.UNKNOWN, head)),
                Arguments.of("another epoch, same id as the head", E2 + ":5-0", head, null,
                        reset(ResetReason.UNKNOWN, head)),
                Arguments.of("at the head", head, head, null, live(head, true)),
                Arguments.of("behind the head, nothing trimmed", E1 + ":3-0", head, current, replay(E1 + ":3-0")),
                Arguments.of("behind the head, at the floor", E1 + ":3-0", head, facts(E1, "5-0", "3-0"),
                        replay(E1 + ":3-0")),
                Arguments.of("behind the head, above the floor", E1 + ":3-0", head, facts(E1, "5-0", "2-5"),
                        replay(E1 + ":3-0")),
                Arguments.of("below the floor: expired", E1 + ":2-0", head, facts(E1, "5-0", "3-0"),
                        reset(ResetReason.EXPIRED, head)),
                Arguments.of("before everything, below the floor", E1 + ":0-0", head, facts(E1, "5-0", "1-0"),
                        reset(ResetReason.EXPIRED, head)),
                Arguments.of("ahead of this pod's reader, reached by the topic", E1 + ":7-0", head,
                        facts(E1, "8-0", null), live(E1 + ":7-0", true)),
                Arguments.of("ahead of this pod's reader, exactly the topic's end", E1 + ":7-0", head,
                        facts(E1, "7-0", null), live(E1 + ":7-0", true)),
                Arguments.of("past the end of the topic", E1 + ":9-0", head, facts(E1, "8-0", null),
                        reset(ResetReason.UNKNOWN, head)),
                Arguments.of("past the end, the topic has no cursor", E1 + ":9-0", head, facts(E1, null, null),
                        reset(ResetReason.UNKNOWN, head)),
                Arguments.of("history replaced after the head was taken", E1 + ":3-0", head, facts(E2, "1-0", null),
                        reset(ResetReason.UNKNOWN, head)),
                Arguments.of("history deleted after the head was taken", E1 + ":3-0", head, TopicMeta.NONE,
                        reset(ResetReason.UNKNOWN, head)),
                Arguments.of("same millisecond, later sequence", E1 + ":5-0", E1 + ":5-1", facts(E1, "5-1", null),
                        replay(E1 + ":5-0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, String client, String head, TopicMeta facts, ResumePlan expected) {
        assertThat(ResumePlan.needsFacts(at(client), at(head))).as("needs facts").isEqualTo(facts != null);
        ResumePlan plan = ResumePlan.decide(at(client), at(head), facts);
        assertThat(plan).isEqualTo(expected);
        assertThat(plan.recovered()).isEqualTo(expected instanceof ResumePlan.Replay
                || expected instanceof ResumePlan.Live live && live.recovered());
    }

    @Test
    void aDecisionThatNeedsFactsRefusesToGuess() {
        assertThatThrownBy(() -> ResumePlan.decide(at(E1 + ":3-0"), at(E1 + ":5-0"), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMultiTopicCursorIsDecidedTopicByTopic() {
        List<String> topics = List.of("a", "b", "c", "d");
        String cursor = CompositeCursor.encode(new TreeMap<>(Map.of("a", at(E1 + ":5-0"), "b",
                at("-"), "c", at(E2 + ":1-0"), "d", at(E1 + ":2-0"))));
        SortedMap<String, TopicPosition> client = CompositeCursor.decode(cursor, topics);
        assertThat(ResumePlan.decide(client.get("a"), at(E1 + ":5-0"), null)).isEqualTo(live(E1 + ":5-0", true));
        assertThat(ResumePlan.decide(client.get("b"), at("-"), null)).isEqualTo(live("-", true));
        assertThat(ResumePlan.decide(client.get("c"), at(E1 + ":9-0"), null))
                .isEqualTo(reset(ResetReason.UNKNOWN, E1 + ":9-0"));
        assertThat(ResumePlan.decide(client.get("d"), at(E1 + ":4-0"), facts(E1, "4-0", "3-0")))
                .isEqualTo(reset(ResetReason.EXPIRED, E1 + ":4-0"));
    }

    static Stream<Arguments> pages() {
        return Stream.of(
                Arguments.of("same history, nothing trimmed", facts(E1, "9-0", null), null),
                Arguments.of("same history, trimmed below the position", facts(E1, "9-0", "3-0"), null),
                Arguments.of("trimmed past the position between pages", facts(E1, "9-0", "4-1"),
                        ResetReason.EXPIRED),
                Arguments.of("history replaced between pages", facts(E2, "1-0", null), ResetReason.UNKNOWN),
                Arguments.of("history deleted between pages", TopicMeta.NONE, ResetReason.UNKNOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pages")
    void aReplayPageIsCheckedAgainstItsOwnFacts(String name, TopicMeta page, ResetReason expected) {
        assertThat(ResumePlan.interrupted(at(E1 + ":4-0"), E1, page)).isEqualTo(expected);
    }
}
