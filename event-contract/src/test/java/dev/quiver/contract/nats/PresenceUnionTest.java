package dev.quiver.contract.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.quiver.contract.redis.PresenceLayout;

/** How pods' presence records make members, joins and leaves: the counting Redis's script does, from records. */
class PresenceUnionTest {

    private static PresenceRecord record(long version, int anonymous, String... subs) {
        return new PresenceRecord(version, anonymous, Arrays.stream(subs)
                .map(sub -> new PresenceRecord.Member(sub, sub.equals("ann") ? "{\"name\":\"Ann\"}" : null,
                        "2026-12-07T10:00:0" + sub.length() + ".000Z"))
                .toList());
    }

    private static List<String> changes(List<PresenceLayout.Change> changes) {
        return changes.stream().map(change -> (change.join() ? "join " : "leave ") + change.member()).toList();
    }

    @Test
    void aSubjectJoinsWithItsFirstPodAndLeavesWithItsLast() {
        PresenceUnion union = new PresenceUnion();
        assertThat(changes(union.apply("a", record(1, 0, "ann", "bo"), 0))).containsExactly(
                "join {\"sub\":\"ann\",\"info\":{\"name\":\"Ann\"},\"since\":\"2026-12-07T10:00:03.000Z\"}",
                "join {\"sub\":\"bo\",\"since\":\"2026-12-07T10:00:02.000Z\"}");
        // bo on a second pod: already a member.
        assertThat(union.apply("b", record(1, 0, "bo"), 0)).isEmpty();
        // bo leaves pod a: still on b.
        assertThat(union.apply("a", record(2, 0, "ann"), 0)).isEmpty();
        assertThat(changes(union.apply("b", record(2, 0), 0))).containsExactly("leave {\"sub\":\"bo\"}");
        assertThat(changes(union.apply("a", record(3, 0), 0))).containsExactly("leave {\"sub\":\"ann\"}");
        assertThat(union.isEmpty()).isTrue();
    }

    @Test
    void anOlderRecordOfAPodChangesNothingAndTheSameOneIsASignOfLife() {
        PresenceUnion union = new PresenceUnion();
        union.apply("a", record(5, 0, "ann"), 0);
        assertThat(union.apply("a", record(4, 0), 100)).isEmpty();
        assertThat(union.apply("a", record(5, 0, "ann"), 900)).isEmpty();
        assertThat(union.expire(1500, 1000)).as("renewed at 900").isEmpty();
        assertThat(changes(union.expire(1901, 1000))).containsExactly("leave {\"sub\":\"ann\"}");
    }

    @Test
    void aPodNotHeardOfForTheTimeoutLeavesWithItsMembersOnly() {
        PresenceUnion union = new PresenceUnion();
        union.apply("dead", record(1, 2, "ann", "bo"), 0);
        union.apply("live", record(1, 0, "bo"), 0);
        union.apply("live", record(2, 0, "bo"), 800);
        assertThat(union.expire(1000, 1000)).isEmpty();
        assertThat(changes(union.expire(1001, 1000))).containsExactly("leave {\"sub\":\"ann\"}");
        assertThat(union.isEmpty()).isFalse();
    }

    @Test
    void pagesListEachSubjectOnceInByteOrderWithItsEarliestSinceAndSumAnonymous() {
        List<PresenceRecord> records = List.of(
                new PresenceRecord(1, 2, List.of(new PresenceRecord.Member("bo", null, "2026-12-07T10:00:05.000Z"),
                        new PresenceRecord.Member("Zed", null, "2026-12-07T10:00:01.000Z"))),
                new PresenceRecord(1, 1, List.of(new PresenceRecord.Member("bo", null, "2026-12-07T10:00:02.000Z"),
                        new PresenceRecord.Member("\u00e9mile", null, "2026-12-07T10:00:03.000Z"),
                        new PresenceRecord.Member("ann", "{\"a\":1}", "2026-12-07T10:00:04.000Z"))));
        PresenceLayout.Page first = PresenceUnion.page(records, null, 2);
        assertThat(first.count()).isEqualTo(4);
        assertThat(first.anonymous()).isEqualTo(3);
        assertThat(first.more()).isTrue();
        assertThat(first.members()).containsExactly("{\"sub\":\"Zed\",\"since\":\"2026-12-07T10:00:01.000Z\"}",
                "{\"sub\":\"ann\",\"info\":{\"a\":1},\"since\":\"2026-12-07T10:00:04.000Z\"}");
        PresenceLayout.Page second = PresenceUnion.page(records, "ann", 2);
        assertThat(second.members()).containsExactly("{\"sub\":\"bo\",\"since\":\"2026-12-07T10:00:02.000Z\"}",
                "{\"sub\":\"\u00e9mile\",\"since\":\"2026-12-07T10:00:03.000Z\"}");
        assertThat(second.more()).isFalse();
        assertThat(PresenceUnion.page(List.of(), null, 10).members()).isEmpty();
    }

    @Test
    void recordsReadBackAsWrittenAndAnythingElseIsRefused() {
        PresenceRecord record = new PresenceRecord(7, 3, List.of(new PresenceRecord.Member("a\"b", "{\"x\":[1,2]}",
                PresenceRecord.since(1_765_000_000_123L)),
                new PresenceRecord.Member("c", null,
                        PresenceRecord.since(1_765_000_000_000L))));
        assertThat(PresenceRecord.decode(record.encode())).isEqualTo(record);
        assertThat(record.members().get(1).since()).isEqualTo("2025-12-06T05:46:40.000Z");
        assertThat(record.members().get(0).since()).endsWith(".123Z");
        assertThatThrownBy(() -> PresenceRecord.decode("{\"v\":1}".getBytes())).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> PresenceRecord.decode("not json".getBytes())).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> PresenceRecord.decode("{\"v\":1,\"a\":0,\"m\":[{\"sub\":1}]}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
