package dev.quiver.edge.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.edge.event.EncodedEvent;

/**
 * What the pod may answer from memory: exactly the events after a cursor when it holds every one of them, else
 * {@code null} so the caller reads Redis. A wrong answer here would be a silent gap or a duplicate.
 */
class RecentEventsTest {

    private static final String EPOCH = "aaaaaaaa";
    private static final String OTHER = "bbbbbbbb";

    private static TopicPosition at(String epoch, long id) {
        return new TopicPosition(epoch, new StreamId(id, 0));
    }

    private static List<EncodedEvent> events(String epoch, long... ids) {
        List<EncodedEvent> events = new ArrayList<>();
        for (long id : ids) {
            events.add(EncodedEvent.of("t", epoch, new StreamId(id, 0), List.of("type", "t", "data", "{}")));
        }
        return events;
    }

    private static List<Long> ids(List<EncodedEvent> events) {
        return events == null ? null : events.stream().map(event -> event.id().millis()).toList();
    }

    @Test
    void answersTheEventsAfterACursorItHoldsEveryOneOf() {
        RecentEvents recent = new RecentEvents(8, at(EPOCH, 10));
        recent.append(events(EPOCH, 11, 12, 13));
        assertThat(ids(recent.after(at(EPOCH, 10)))).containsExactly(11L, 12L, 13L);
        assertThat(ids(recent.after(at(EPOCH, 12)))).containsExactly(13L);
        assertThat(ids(recent.after(at(EPOCH, 13)))).isEmpty();
        // A cursor between two ids (never an event) gets what follows it, as a Redis range would.
        assertThat(ids(recent.after(new TopicPosition(EPOCH, new StreamId(11, 5))))).containsExactly(12L, 13L);
    }

    @Test
    void knowsNothingBeforeWhatItFollowedFromOrAfterItsNewestEvent() {
        RecentEvents recent = new RecentEvents(8, at(EPOCH, 10));
        recent.append(events(EPOCH, 11));
        assertThat(recent.after(at(EPOCH, 9))).isNull();
        assertThat(recent.after(at(EPOCH, 12))).isNull();
    }

    @Test
    void evictingTheOldestMovesWhatItKnowsForward() {
        RecentEvents recent = new RecentEvents(3, at(EPOCH, 10));
        recent.append(events(EPOCH, 11, 12, 13, 14, 15));
        assertThat(recent.size()).isEqualTo(3);
        assertThat(recent.after(at(EPOCH, 11))).isNull();
        assertThat(ids(recent.after(at(EPOCH, 12)))).containsExactly(13L, 14L, 15L);
    }

    @Test
    void evictingForMemoryMovesWhatItKnowsForwardToo() {
        RecentEvents recent = new RecentEvents(8, at(EPOCH, 10));
        List<EncodedEvent> appended = events(EPOCH, 11, 12);
        recent.append(appended);
        assertThat(recent.bytes()).isEqualTo(appended.get(0).heldBytes() + appended.get(1).heldBytes());
        recent.evictOldest();
        assertThat(recent.bytes()).isEqualTo(appended.get(1).heldBytes());
        assertThat(recent.after(at(EPOCH, 10))).isNull();
        assertThat(ids(recent.after(at(EPOCH, 11)))).containsExactly(12L);
        recent.evictOldest();
        recent.evictOldest();
        assertThat(recent.bytes()).isZero();
        assertThat(ids(recent.after(at(EPOCH, 12)))).isEmpty();
        assertThat(recent.after(at(EPOCH, 11))).isNull();
    }

    @Test
    void anotherHistoryIsNeverAnswered() {
        RecentEvents recent = new RecentEvents(8, at(EPOCH, 10));
        recent.append(events(EPOCH, 11));
        assertThat(recent.after(at(OTHER, 10))).isNull();
        assertThat(recent.after(TopicPosition.EMPTY)).isNull();
        assertThat(recent.after(null)).isNull();

        recent.restart(at(OTHER, 3));
        assertThat(recent.after(at(EPOCH, 11))).isNull();
        recent.append(events(OTHER, 4));
        assertThat(ids(recent.after(at(OTHER, 3)))).containsExactly(4L);
    }

    @Test
    void aHistoryFirstSeenInItsEventsIsHeldOnlyFromThere() {
        // Followed while the topic had no history: the first event of the new one may not be its first.
        RecentEvents recent = new RecentEvents(8, TopicPosition.EMPTY);
        recent.append(events(EPOCH, 5, 6, 7));
        assertThat(recent.after(at(EPOCH, 0))).isNull();
        assertThat(recent.after(at(EPOCH, 4))).isNull();
        assertThat(ids(recent.after(at(EPOCH, 5)))).containsExactly(6L, 7L);
    }

    @Test
    void anEventPushedTwiceIsHeldOnce() {
        RecentEvents recent = new RecentEvents(8, at(EPOCH, 10));
        recent.append(events(EPOCH, 11, 12));
        recent.append(events(EPOCH, 12, 13));
        assertThat(ids(recent.after(at(EPOCH, 10)))).containsExactly(11L, 12L, 13L);
    }

    @Test
    void zeroCapacityHoldsNothing() {
        RecentEvents recent = new RecentEvents(0, at(EPOCH, 10));
        recent.append(events(EPOCH, 11));
        assertThat(recent.after(at(EPOCH, 10))).isNull();
        assertThat(recent.after(at(EPOCH, 11))).isNull();
    }
}
