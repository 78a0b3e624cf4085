package dev.quiver.edge.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.quiver.contract.redis.LiveMessage;
import dev.quiver.contract.redis.StreamEntry;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;

/** Every case of merging the at-most-once live channel with the stream: followed epoch, last pushed, message, step. */
class LiveStepTest {

    private static final String E1 = "aaaaaaaa";
    private static final String E2 = "bbbbbbbb";

    private static StreamId id(String text) {
        return text == null ? null : StreamId.parse(text);
    }

    private static LiveMessage message(String epoch, String id, String previous) {
        return new LiveMessage(epoch, id(previous), new StreamEntry(id(id), List.of("type", "t", "data", "1")));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, followed epoch, last pushed, message (epoch, id, previous), step
                Arguments.of("the next entry", E1, "5-0", message(E1, "6-0", "5-0"), new LiveStep.Push()),
                Arguments.of("the next entry, same millisecond", E1, "5-0", message(E1, "5-1", "5-0"),
                        new LiveStep.Push()),
                Arguments.of("a message was dropped before this one", E1, "5-0", message(E1, "7-0", "6-0"),
                        new LiveStep.Fill(id("5-0"), id("7-0"))),
                Arguments.of("many were missed (a reconnect, a slot move)", E1, "5-0", message(E1, "90-0", "89-0"),
                        new LiveStep.Fill(id("5-0"), id("90-0"))),
                Arguments.of("already pushed (filled from the stream before)", E1, "7-0", message(E1, "6-0", "5-0"),
                        new LiveStep.Skip()),
                Arguments.of("the last one pushed, again", E1, "7-0", message(E1, "7-0", "6-0"), new LiveStep.Skip()),
                Arguments.of("written before following started", E1, "5-0", message(E1, "4-0", "3-0"),
                        new LiveStep.Skip()),
                Arguments.of("another epoch: the history was replaced", E1, "5-0", message(E2, "1-0", null),
                        new LiveStep.Replaced()),
                Arguments.of("another epoch, even with an older id", E1, "5-0", message(E2, "6-0", "5-0"),
                        new LiveStep.Replaced()),
                Arguments.of("a topic without history gets its first entry", null, "0-0", message(E1, "1-0", null),
                        new LiveStep.Push()),
                Arguments.of("a topic without history missed its first entries", null, "0-0",
                        message(E1, "3-0", "2-0"), new LiveStep.Fill(id("0-0"), id("3-0"))),
                Arguments.of("a first entry while something was pushed cannot follow it", E1, "5-0",
                        message(E1, "6-0", null), new LiveStep.Fill(id("5-0"), id("6-0"))),
                Arguments.of("a previous id before the last one (the last one is not an entry)", E1, "5-5",
                        message(E1, "6-0", "5-0"), new LiveStep.Fill(id("5-5"), id("6-0"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, String epoch, String last, LiveMessage message, LiveStep expected) {
        assertThat(LiveStep.next(epoch, id(last), message)).isEqualTo(expected);
    }

    static Stream<Arguments> histories() {
        return Stream.of(
                // name, followed epoch, last pushed, facts read (epoch, cursor, floor), lost
                Arguments.of("nothing new", E1, "5-0", new TopicMeta(E1, id("5-0"), null), false),
                Arguments.of("more was appended", E1, "5-0", new TopicMeta(E1, id("9-0"), null), false),
                Arguments.of("trimmed, but not past the last one pushed", E1, "5-0",
                        new TopicMeta(E1, id("9-0"), id("5-0")), false),
                Arguments.of("trimmed past the last one pushed", E1, "5-0", new TopicMeta(E1, id("9-0"), id("6-0")),
                        true),
                Arguments.of("another epoch", E1, "5-0", new TopicMeta(E2, id("9-0"), null), true),
                Arguments.of("the keys are gone", E1, "5-0", TopicMeta.NONE, true),
                Arguments.of("a failover lost writes already delivered", E1, "5-0",
                        new TopicMeta(E1, id("4-0"), null), true),
                Arguments.of("followed empty, an epoch without entries", E1, "0-0", new TopicMeta(E1, null, null),
                        false),
                Arguments.of("followed without history, still none", null, "0-0", TopicMeta.NONE, false),
                Arguments.of("followed without history, one began", null, "0-0", new TopicMeta(E2, id("3-0"), null),
                        false),
                Arguments.of("followed without history, trimmed before it was read", null, "0-0",
                        new TopicMeta(E2, id("9-0"), id("4-0")), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void tellsAHistoryThatIsGone(String name, String epoch, String last, TopicMeta facts, boolean lost) {
        assertThat(LiveStep.lost(epoch, id(last), facts)).isEqualTo(lost);
    }
}
