package dev.quiver.contract.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.quiver.contract.cursor.TopicCursor;
import dev.quiver.contract.redis.StreamId;

class NatsLayoutTest {

    private static final NatsLayout LAYOUT = new NatsLayout("QUIVER", "quiver");

    @Test
    void aTopicIsOneTokenAndItsHistoryOneFilter() {
        assertThat(LAYOUT.eventSubject("orders.eu:1", "o-1")).isEqualTo("quiver.e.orders~eu:1.kby0x");
        assertThat(LAYOUT.eventSubject("orders.eu:1", null)).isEqualTo("quiver.e.orders~eu:1.n");
        assertThat(LAYOUT.topicFilter("orders.eu:1")).isEqualTo("quiver.e.orders~eu:1.*");
        assertThat(LAYOUT.floorSubject("orders.eu:1")).isEqualTo("quiver.f.orders~eu:1");
        assertThat(LAYOUT.eventSubjects()).isEqualTo("quiver.e.>");
        assertThat(LAYOUT.metaStream()).isEqualTo("QUIVER_META");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "o-1", "a.b", "*", ">", "with space", "ünïcødé ✓", "a\nb", "k", "n"})
    void everyKeyRoundTripsThroughItsSubjectAsOneToken(String key) {
        String subject = LAYOUT.eventSubject("t.x", key);
        assertThat(subject.split("\\.")).hasSize(4);
        assertThat(subject).doesNotContain(" ", "*", ">");
        assertThat(LAYOUT.address(subject)).isEqualTo(new NatsLayout.Address("t.x", key));
    }

    @Test
    void aHistoryOnlyEventHasNoKey() {
        assertThat(LAYOUT.address("quiver.e.t~x.n")).isEqualTo(new NatsLayout.Address("t.x", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"other.e.t.n", "quiver.f.t", "quiver.e.t", "quiver.e.t.n.extra", "quiver.e.t.x",
            "quiver.e.t.k!!", "quiver.e.-bad.n", "quiver.e..n"})
    void foreignSubjectsAreNotEvents(String subject) {
        assertThat(LAYOUT.address(subject)).isNull();
    }

    @Test
    void idsAreStreamSequencesInTheMsSeqShape() {
        assertThat(NatsLayout.id(42)).isEqualTo(new StreamId(0, 42));
        assertThat(NatsLayout.id(42).toString()).isEqualTo("0-42");
        assertThat(NatsLayout.sequence(StreamId.parse("0-42"))).isEqualTo(42);
        assertThat(NatsLayout.id(9).isBefore(NatsLayout.id(10))).isTrue();
        assertThatThrownBy(() -> NatsLayout.sequence(StreamId.parse("1796606770673-0")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEpochIsAValidEpochAndChangesWithTheStreamsCreation() {
        ZonedDateTime created = ZonedDateTime.parse("2026-12-07T01:39:41.049816417Z");
        String epoch = LAYOUT.epoch(created);
        assertThat(TopicCursor.isEpoch(epoch)).isTrue();
        assertThat(LAYOUT.epoch(created)).isEqualTo(epoch);
        assertThat(LAYOUT.epoch(created.plusNanos(1))).isNotEqualTo(epoch);
        assertThat(new NatsLayout("OTHER", "quiver").epoch(created)).isNotEqualTo(epoch);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a.b", "a b", "x*", "toolongtoolongtoolongtoolongtoolong"})
    void namesThatWouldBreakSubjectsAreRefused(String name) {
        assertThatThrownBy(() -> new NatsLayout(name, "quiver")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NatsLayout("QUIVER", name)).isInstanceOf(IllegalArgumentException.class);
    }
}
