package dev.quiver.contract.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.smallrye.mutiny.Multi;

import dev.quiver.contract.config.EventsConfig;
import dev.quiver.contract.config.NatsConfig;
import dev.quiver.contract.cursor.TopicCursor;
import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventOp;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.contract.redis.IdempotencyConflictException;
import dev.quiver.contract.redis.RetentionPolicy;
import dev.quiver.contract.redis.TestConfig;
import dev.quiver.contract.redis.TopicEvents;
import dev.quiver.contract.redis.TopicOutcome;
import dev.quiver.testkit.NatsServer;

/** The JetStream writer against a real nats-server: subjects, ids, idempotency, a replaced stream, an outage. */
class NatsEventWriterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static NatsServer server;
    private static NatsBroker broker;
    private static NatsEventWriter writer;

    @BeforeAll
    static void start() {
        server = NatsServer.start();
        broker = new NatsBroker(config(server.url(), "QT", Duration.ofSeconds(2)), events());
        writer = new NatsEventWriter(broker, new RetentionPolicy(events()), new NatsRetention(broker));
    }

    @AfterAll
    static void stop() {
        broker.close();
        server.close();
    }

    @Test
    void eventsAreStoredInOrderOnTheirTopicAndKeySubjectsWithSequenceIds() throws Exception {
        AppendResult result = append("w.order", null, draft("w.order", "o-1", "{\"n\":1}"),
                draft("w.order", "o-2", "{\"n\":2}"), draft("w.order", null, "3"));
        assertThat(TopicCursor.isEpoch(result.epoch())).isTrue();
        assertThat(result.replayed()).containsExactly(false, false, false);
        List<Long> sequences = result.ids().stream().map(id -> NatsLayout.sequence(
                dev.quiver.contract.redis.StreamId.parse(id))).toList();
        assertThat(sequences).isSorted().doesNotHaveDuplicates();
        JetStreamManagement management = broker.management();
        MessageInfo first = management.getMessage("QT", sequences.get(0));
        assertThat(first.getSubject()).isEqualTo(broker.layout().eventSubject("w.order", "o-1"));
        assertThat(new String(first.getData(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        assertThat(first.getHeaders().getFirst(NatsEventWriter.TYPE)).isEqualTo("t");
        assertThat(first.getHeaders().getFirst(NatsEventWriter.OP)).isEqualTo("upsert");
        MessageInfo third = management.getMessage("QT", sequences.get(2));
        assertThat(third.getSubject()).isEqualTo(broker.layout().eventSubject("w.order", null));
        assertThat(third.getHeaders().getFirst(NatsEventWriter.OP)).isNull();
    }

    @Test
    void aRetryWithTheSameKeyAndEventAnswersTheFirstIdAndWritesNothing() throws Exception {
        EventDraft draft = draft("w.idem", "k", "1");
        AppendResult first = append("w.idem", "key-1", draft);
        long last = lastSequence();
        AppendResult again = append("w.idem", "key-1", draft);
        assertThat(again.ids()).isEqualTo(first.ids());
        assertThat(again.replayed()).containsExactly(true);
        assertThat(lastSequence()).isEqualTo(last);
        // The same key on another topic is another event.
        assertThat(append("w.idem2", "key-1", draft("w.idem2", "k", "1")).replayed()).containsExactly(false);
    }

    @Test
    void theSameKeyForAnotherEventIsAConflictAndWritesNothing() throws Exception {
        append("w.conflict", "key-c", draft("w.conflict", "k", "1"));
        long last = lastSequence();
        assertThatThrownBy(() -> append("w.conflict", "key-c", draft("w.conflict", "k", "2")))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThat(lastSequence()).isEqualTo(last);
    }

    @Test
    void twoEventsOfOneCallWithOneKeyAndDifferentContentConflictBeforeAnythingIsWritten() throws Exception {
        long last = lastSequence();
        List<AppendRequest> events = List.of(new AppendRequest(draft("w.call", "k", "1"), "same"),
                new AppendRequest(draft("w.call", "k", "2"), "same"));
        assertThatThrownBy(() -> writer.append("w.call", events).await().atMost(WAIT))
                .isInstanceOfSatisfying(IdempotencyConflictException.class, e -> assertThat(e.index()).isEqualTo(1));
        assertThat(lastSequence()).isEqualTo(last);
    }

    @Test
    void topicsOfOneBatchAreEachTheirOwn() {
        List<TopicOutcome> outcomes = writer.appendAll(List.of(
                new TopicEvents("w.a", List.of(new AppendRequest(draft("w.a", "k", "1"), "x"))),
                new TopicEvents("w.b", List.of(new AppendRequest(draft("w.b", "k", "1"), null),
                        new AppendRequest(draft("w.b", "k", "2"), null)))))
                .await().atMost(WAIT);
        assertThat(outcomes).extracting(TopicOutcome::topic).containsExactly("w.a", "w.b");
        assertThat(outcomes.get(1).result().ids()).hasSize(2);
        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.failure()).isNull());
    }

    @Test
    void aStreamDeletedAndCreatedAgainIsANewHistoryWithANewEpoch() throws Exception {
        NatsServer own = NatsServer.start();
        NatsBroker ownBroker = new NatsBroker(config(own.url(), "QR", Duration.ofSeconds(2)), events());
        try {
            NatsEventWriter ownWriter = new NatsEventWriter(ownBroker, new RetentionPolicy(events()),
                    new NatsRetention(ownBroker));
            AppendResult before = ownWriter.append("w.r", List.of(new AppendRequest(draft("w.r", "k", "1"), null),
                    new AppendRequest(draft("w.r", "k", "2"), null))).await().atMost(WAIT);
            ownBroker.management().deleteStream("QR");
            // The first write after finds no stream, the next creates it again.
            AppendResult after = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (after == null) {
                try {
                    after = ownWriter.append("w.r", List.of(new AppendRequest(draft("w.r", "k", "3"), null)))
                            .await().atMost(WAIT);
                } catch (ProblemException e) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                }
            }
            assertThat(after.epoch()).isNotEqualTo(before.epoch());
            assertThat(after.ids()).containsExactly("0-1");
        } finally {
            ownBroker.close();
            own.close();
        }
    }

    @Test
    void concurrentWritesToANewStreamAllSucceedUnderOneEpoch() {
        NatsServer own = NatsServer.start();
        NatsBroker ownBroker = new NatsBroker(config(own.url(), "QC", Duration.ofSeconds(2)), events());
        try {
            NatsEventWriter ownWriter = new NatsEventWriter(ownBroker, new RetentionPolicy(events()),
                    new NatsRetention(ownBroker));
            // Acknowledgements of concurrent writes arrive out of order; none of them is a replaced stream, and no
            // write may wait on the stream's creation (jnats delivers both on one thread).
            List<AppendResult> results = Multi.createFrom().range(0, 8)
                    .onItem().transformToUni(batch -> ownWriter.append("w.c", java.util.stream.IntStream
                            .range(0, 200).mapToObj(i -> new AppendRequest(draft("w.c", "k" + batch + "-" + i, "1"),
                                    null))
                            .toList()))
                    .merge(8).collect().asList().await().atMost(WAIT);
            assertThat(results).extracting(AppendResult::epoch).containsOnly(results.get(0).epoch());
            assertThat(results).flatExtracting(AppendResult::ids).hasSize(1600).doesNotHaveDuplicates();
            assertThat(ownBroker.management().getStreamInfo("QC").getStreamState().getMsgCount()).isEqualTo(1600);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            ownBroker.close();
            own.close();
        }
    }

    @Test
    void aStreamReplacedByAnotherServiceIsNoticedByTheSequenceItGives() throws Exception {
        NatsServer own = NatsServer.start();
        NatsBroker first = new NatsBroker(config(own.url(), "QS", Duration.ofSeconds(2)), events());
        NatsBroker second = new NatsBroker(config(own.url(), "QS", Duration.ofSeconds(2)), events());
        try {
            NatsEventWriter firstWriter = new NatsEventWriter(first, new RetentionPolicy(events()),
                    new NatsRetention(first));
            NatsEventWriter secondWriter = new NatsEventWriter(second, new RetentionPolicy(events()),
                    new NatsRetention(second));
            List<AppendRequest> three = List.of(new AppendRequest(draft("w.s", "a", "1"), null),
                    new AppendRequest(draft("w.s", "b", "2"), null), new AppendRequest(draft("w.s", "c", "3"), null));
            AppendResult before = firstWriter.append("w.s", three).await().atMost(WAIT);
            // Another service deletes the stream and writes first: the stream exists again when this one writes, so
            // only the low sequence it is given tells it.
            second.management().deleteStream("QS");
            secondWriter.append("w.s", List.of(new AppendRequest(draft("w.s", "a", "4"), null))).await().atMost(WAIT);
            AppendResult after = firstWriter.append("w.s", List.of(new AppendRequest(draft("w.s", "b", "5"), null)))
                    .await().atMost(WAIT);
            assertThat(after.ids()).containsExactly("0-2");
            assertThat(after.epoch()).isNotEqualTo(before.epoch());
        } finally {
            first.close();
            second.close();
            own.close();
        }
    }

    @Test
    void askingTheStatusAloneConnects() throws InterruptedException {
        // Readiness asks for the status before anything else touches NATS; it must not wait for a write to connect.
        NatsBroker fresh = new NatsBroker(config(server.url(), "QT", Duration.ofSeconds(2)), events());
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (fresh.status() != io.nats.client.Connection.Status.CONNECTED) {
                assertThat(System.nanoTime()).as("connected").isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            fresh.close();
        }
    }

    @Test
    void natsNotUpYetAtStartIsA503WithinTheTimeoutAndWritesWorkOnceItIs() {
        NatsServer own = NatsServer.start();
        own.stop();
        NatsBroker ownBroker = new NatsBroker(config(own.url(), "QU", Duration.ofMillis(800)), events());
        try {
            NatsEventWriter ownWriter = new NatsEventWriter(ownBroker, new RetentionPolicy(events()),
                    new NatsRetention(ownBroker));
            for (int attempt = 0; attempt < 2; attempt++) {
                long started = System.nanoTime();
                assertThatThrownBy(() -> ownWriter.append("w.u", List.of(new AppendRequest(draft("w.u", "k", "1"),
                        null))).await().atMost(WAIT))
                        .isInstanceOfSatisfying(ProblemException.class,
                                e -> assertThat(e.getMessage()).contains("NATS"));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            }
            own.restart();
            AppendResult stored = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (stored == null) {
                try {
                    stored = ownWriter.append("w.u", List.of(new AppendRequest(draft("w.u", "k", "2"), null)))
                            .await().atMost(WAIT);
                } catch (ProblemException e) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                }
            }
            assertThat(stored.ids()).containsExactly("0-1");
        } finally {
            ownBroker.close();
            own.close();
        }
    }

    @Test
    void natsDownIsA503WithinTheTimeout() {
        NatsServer own = NatsServer.start();
        NatsBroker ownBroker = new NatsBroker(config(own.url(), "QD", Duration.ofMillis(800)), events());
        try {
            NatsEventWriter ownWriter = new NatsEventWriter(ownBroker, new RetentionPolicy(events()),
                    new NatsRetention(ownBroker));
            ownWriter.append("w.d", List.of(new AppendRequest(draft("w.d", "k", "1"), null))).await().atMost(WAIT);
            own.stop();
            long started = System.nanoTime();
            assertThatThrownBy(() -> ownWriter.append("w.d", List.of(new AppendRequest(draft("w.d", "k", "2"),
                    null))).await().atMost(WAIT))
                    .isInstanceOfSatisfying(ProblemException.class,
                            e -> assertThat(e.getMessage()).contains("NATS"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        } finally {
            ownBroker.close();
            own.close();
        }
    }

    private static AppendResult append(String topic, String idempotencyKey, EventDraft... drafts) {
        List<AppendRequest> events = java.util.Arrays.stream(drafts)
                .map(draft -> new AppendRequest(draft, idempotencyKey)).toList();
        return writer.append(topic, events).await().atMost(WAIT);
    }

    private static long lastSequence() throws Exception {
        return broker.management().getStreamInfo("QT").getStreamState().getLastSequence();
    }

    private static EventDraft draft(String topic, String key, String data) {
        return new EventDraft(topic, "t", key, key == null ? null : EventOp.UPSERT, data);
    }

    static NatsConfig config(String url, String stream, Duration timeout) {
        return new NatsConfig() {

            @Override
            public List<String> url() {
                return List.of(url);
            }

            @Override
            public Optional<String> credentials() {
                return Optional.empty();
            }

            @Override
            public Optional<String> token() {
                return Optional.empty();
            }

            @Override
            public Optional<String> user() {
                return Optional.empty();
            }

            @Override
            public Optional<String> password() {
                return Optional.empty();
            }

            @Override
            public String stream() {
                return stream;
            }

            @Override
            public String subjectPrefix() {
                return "q" + stream.toLowerCase(java.util.Locale.ROOT);
            }

            @Override
            public int replicas() {
                return 1;
            }

            @Override
            public Duration timeout() {
                return timeout;
            }
        };
    }

    /** No retention (the writer's trimming is tested in NatsRetentionTest), the default idempotency window. */
    static EventsConfig events() {
        return TestConfig.defaults().withRetention(0, Duration.ZERO);
    }
}
