package dev.quiver.edge.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;

/** Which requests share one read: the same question while a read of it is in flight, nothing else. */
class SharedHistoryTest {

    /** Answers nothing until told; counts what it was asked. */
    static final class Recorder implements HistorySource {

        final List<String> asked = new ArrayList<>();
        final List<Promise<?>> pending = new ArrayList<>();

        @Override
        public Future<TopicMeta> meta(String topic, TopicPosition head) {
            asked.add("meta " + topic + " " + head);
            Promise<TopicMeta> promise = Promise.promise();
            pending.add(promise);
            return promise.future();
        }

        @Override
        public Future<Page> range(String topic, StreamId after, StreamId upTo, int count) {
            asked.add("range " + topic + " " + after + " " + upTo + " " + count);
            Promise<Page> promise = Promise.promise();
            pending.add(promise);
            return promise.future();
        }
    }

    private static final TopicPosition HEAD = new TopicPosition("aaaaaaaa", StreamId.parse("9-0"));
    private static final TopicMeta META = new TopicMeta("aaaaaaaa", StreamId.parse("9-0"), null);

    @Test
    void identicalRangesInFlightShareOneRead() {
        Recorder redis = new Recorder();
        SharedHistory shared = new SharedHistory(redis);
        Future<HistorySource.Page> first = shared.range("t", StreamId.parse("5-0"), HEAD.id(), 100);
        Future<HistorySource.Page> second = shared.range("t", StreamId.parse("5-0"), HEAD.id(), 100);
        assertThat(redis.asked).hasSize(1);
        HistorySource.Page page = new HistorySource.Page(META, List.of(), false);
        @SuppressWarnings("unchecked")
        Promise<HistorySource.Page> answer = (Promise<HistorySource.Page>) redis.pending.get(0);
        answer.complete(page);
        assertThat(first.result()).isSameAs(page);
        assertThat(second.result()).isSameAs(page);
        assertThat(shared.inFlight()).isZero();
    }

    @Test
    void anythingThatBoundsTheReadDifferentlyIsReadApart() {
        Recorder redis = new Recorder();
        SharedHistory shared = new SharedHistory(redis);
        shared.range("t", StreamId.parse("5-0"), HEAD.id(), 100);
        shared.range("t", StreamId.parse("6-0"), HEAD.id(), 100);
        shared.range("t", StreamId.parse("5-0"), StreamId.parse("10-0"), 100);
        shared.range("t", StreamId.parse("5-0"), HEAD.id(), 50);
        shared.range("u", StreamId.parse("5-0"), HEAD.id(), 100);
        assertThat(redis.asked).hasSize(5);
    }

    @Test
    void factsAreSharedOnlyByCallersWithTheSameHead() {
        Recorder redis = new Recorder();
        SharedHistory shared = new SharedHistory(redis);
        Future<TopicMeta> first = shared.meta("t", HEAD);
        Future<TopicMeta> second = shared.meta("t", HEAD);
        shared.meta("t", new TopicPosition("aaaaaaaa", StreamId.parse("10-0")));
        assertThat(redis.asked).hasSize(2);
        @SuppressWarnings("unchecked")
        Promise<TopicMeta> answer = (Promise<TopicMeta>) redis.pending.get(0);
        answer.complete(META);
        assertThat(first.result()).isEqualTo(META);
        assertThat(second.result()).isEqualTo(META);
    }

    @Test
    void aRequestAfterTheAnswerReadsAgainAndAFailureReachesEveryone() {
        Recorder redis = new Recorder();
        SharedHistory shared = new SharedHistory(redis);
        Future<TopicMeta> first = shared.meta("t", HEAD);
        Future<TopicMeta> second = shared.meta("t", HEAD);
        redis.pending.get(0).fail("Redis is unavailable");
        assertThat(first.failed()).isTrue();
        assertThat(second.failed()).isTrue();
        shared.meta("t", HEAD);
        assertThat(redis.asked).hasSize(2);
    }
}
