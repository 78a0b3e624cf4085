package dev.quiver.edge.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.edge.broker.LiveFeed;
import dev.quiver.edge.broker.LiveSource;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.loop.EventLoops;
import dev.quiver.edge.metrics.EdgeMetrics;

/** The hub alone, with a fake live source: registry, delivery per event loop, failures, replaced histories. */
class TopicHubTest {

    private static final String EPOCH = "aaaaaaaa";

    /**
     * A source the test drives: follows are answered when the test says (or at once, inside follow, when
     * {@code answerAtOnce} is set), events arrive when the test pushes them.
     */
    static final class FakeSource implements LiveSource {

        Context context;
        LiveFeed feed;
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Set<String> pending = ConcurrentHashMap.newKeySet();
        volatile TopicPosition answerAtOnce;

        @Override
        public void start(Context context, LiveFeed feed) {
            this.context = context;
            this.feed = feed;
        }

        @Override
        public void follow(String topic) {
            calls.add("follow " + topic);
            if (answerAtOnce != null) {
                feed.onFollowed(topic, answerAtOnce);
                feed.onEvents(topic, batch(topic, answerAtOnce.id().millis() + 1));
                return;
            }
            pending.add(topic);
        }

        @Override
        public void unfollow(String topic) {
            calls.add("unfollow " + topic);
        }

        @Override
        public boolean healthy() {
            return true;
        }

        @Override
        public void stop() {
        }

        void answer(String topic, TopicPosition position) {
            context.runOnContext(v -> {
                pending.remove(topic);
                feed.onFollowed(topic, position);
            });
        }

        void fail(String topic) {
            context.runOnContext(v -> {
                pending.remove(topic);
                feed.onFollowFailed(topic, new IllegalStateException("down"));
            });
        }

        void push(String topic, long... ids) {
            context.runOnContext(v -> feed.onEvents(topic, batch(topic, ids)));
        }

        static EventBatch batch(String topic, long... ids) {
            List<EncodedEvent> events = new ArrayList<>();
            for (long id : ids) {
                events.add(EncodedEvent.of(topic, EPOCH, new StreamId(id, 0), List.of("type", "t", "data",
                        Long.toString(id))));
            }
            return new EventBatch(events);
        }
    }

    /** A subscriber that records what it is given, and on which thread. */
    static final class Recorder implements Subscriber {

        final Context context;
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<List<EncodedEvent>> batches = new CopyOnWriteArrayList<>();
        volatile boolean onItsLoop = true;

        Recorder(Context context) {
            this.context = context;
        }

        @Override
        public Context context() {
            return context;
        }

        @Override
        public void onEvents(String topic, List<EncodedEvent> events) {
            check();
            batches.add(events);
            events.forEach(event -> seen.add(topic + "@" + event.id()));
        }

        @Override
        public void onHistoryReplaced(TopicView view) {
            check();
            seen.add("replaced " + view.topic() + " " + view.position().wire());
        }

        private void check() {
            if (!EventLoops.isOn(context)) {
                onItsLoop = false;
            }
        }
    }

    private Vertx vertx;
    private FakeSource source;
    private TopicHub hub;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        source = new FakeSource();
        hub = new TopicHub(vertx, source, new EdgeMetrics(new SimpleMeterRegistry()), 64, 1 << 20);
        hub.start(vertx.getOrCreateContext());
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void eventually(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }

    private static TopicPosition at(long id) {
        return new TopicPosition(EPOCH, new StreamId(id, 0));
    }

    @Test
    void theFirstSubscriberFollowsATopicAndTheLastOneOutUnfollowsIt() throws Exception {
        Recorder a = new Recorder(vertx.getOrCreateContext());
        Recorder b = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> joinA = hub.subscribe(a, List.of("t"));
        Future<List<TopicView>> joinB = hub.subscribe(b, List.of("t"));
        eventually(() -> source.pending.contains("t"));
        source.answer("t", at(5));
        assertThat(await(joinA)).containsExactly(new TopicView("t", at(5)));
        assertThat(await(joinB)).containsExactly(new TopicView("t", at(5)));
        hub.unsubscribe(a, List.of("t"));
        source.push("t", 6);
        eventually(() -> b.seen.size() == 1);
        hub.unsubscribe(b, List.of("t"));
        eventually(() -> source.calls.size() == 2);
        assertThat(source.calls).containsExactly("follow t", "unfollow t");
        assertThat(a.seen).isEmpty();
        assertThat(b.seen).containsExactly("t@6-0");
    }

    @Test
    void aLaterSubscriberJoinsAtTheLastPositionDelivered() throws Exception {
        Recorder early = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> join = hub.subscribe(early, List.of("t"));
        eventually(() -> source.pending.contains("t"));
        source.answer("t", at(1));
        await(join);
        source.push("t", 2, 3);
        eventually(() -> early.seen.size() == 2);
        Recorder late = new Recorder(vertx.getOrCreateContext());
        assertThat(await(hub.subscribe(late, List.of("t")))).containsExactly(new TopicView("t", at(3)));
        source.push("t", 4);
        eventually(() -> late.seen.size() == 1 && early.seen.size() == 3);
        assertThat(late.seen).containsExactly("t@4-0");
        assertThat(source.calls).containsExactly("follow t");
    }

    @Test
    void aResumingSubscriberGetsTheEventsItMissedWhenThePodHoldsThem() throws Exception {
        Recorder early = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> join = hub.subscribe(early, List.of("t"));
        eventually(() -> source.pending.contains("t"));
        source.answer("t", at(1));
        await(join);
        source.push("t", 2, 3, 4);
        eventually(() -> early.seen.size() == 3);

        Recorder resuming = new Recorder(vertx.getOrCreateContext());
        TopicView view = await(hub.subscribe(resuming, List.of("t"), Map.of("t", at(2)))).get(0);
        assertThat(view.position()).isEqualTo(at(4));
        assertThat(view.recent()).extracting(EncodedEvent::id).containsExactly(new StreamId(3, 0), new StreamId(4, 0));

        // Before what the pod followed from: only Redis knows.
        Recorder older = new Recorder(vertx.getOrCreateContext());
        assertThat(await(hub.subscribe(older, List.of("t"), Map.of("t", at(0)))).get(0).recent()).isNull();
    }

    @Test
    void theEventsHeldStayWithinThePodsMemoryBound() throws Exception {
        int eventBytes = FakeSource.batch("t", 2).get(0).heldBytes();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx = Vertx.vertx();
        source = new FakeSource();
        // Room for three events of this size, however many topics hold them.
        hub = new TopicHub(vertx, source, new EdgeMetrics(new SimpleMeterRegistry()), 64, 3L * eventBytes + 10);
        hub.start(vertx.getOrCreateContext());
        Recorder watcher = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> join = hub.subscribe(watcher, List.of("t", "u"));
        eventually(() -> source.pending.size() == 2);
        source.answer("t", at(1));
        source.answer("u", at(1));
        await(join);
        source.push("t", 2, 3);
        source.push("u", 2, 3);
        eventually(() -> watcher.seen.size() == 4);

        Recorder resuming = new Recorder(vertx.getOrCreateContext());
        List<TopicView> views = await(hub.subscribe(resuming, List.of("t", "u"), Map.of("t", at(1), "u", at(1))));
        // "t" kept both; "u", which grew past the bound, gave back its oldest.
        assertThat(views.get(0).recent()).extracting(EncodedEvent::id).containsExactly(new StreamId(2, 0),
                new StreamId(3, 0));
        assertThat(views.get(1).recent()).isNull();
        assertThat(await(hub.subscribe(resuming, List.of("u"), Map.of("u", at(2)))).get(0).recent())
                .extracting(EncodedEvent::id).containsExactly(new StreamId(3, 0));
    }

    @Test
    void eachBatchIsHandedWholeToEverySubscriberOnItsOwnEventLoop() throws Exception {
        Context loopOne = vertx.getOrCreateContext();
        Context loopTwo = vertx.getOrCreateContext();
        List<Recorder> recorders = List.of(new Recorder(loopOne), new Recorder(loopOne), new Recorder(loopTwo));
        List<Future<List<TopicView>>> joins = new ArrayList<>();
        recorders.forEach(recorder -> joins.add(hub.subscribe(recorder, List.of("t", "u"))));
        eventually(() -> source.pending.size() == 2);
        source.answer("t", at(1));
        source.answer("u", TopicPosition.EMPTY);
        for (Future<List<TopicView>> join : joins) {
            assertThat(await(join)).containsExactly(new TopicView("t", at(1)), new TopicView("u", TopicPosition.EMPTY));
        }
        source.push("t", 2, 3, 4);
        source.push("u", 7);
        eventually(() -> recorders.stream().allMatch(r -> r.seen.size() == 4));
        for (Recorder recorder : recorders) {
            assertThat(recorder.seen).containsExactly("t@2-0", "t@3-0", "t@4-0", "u@7-0");
            assertThat(recorder.onItsLoop).isTrue();
        }
        // One encoding, one batch object for everybody: delivery costs no copy per connection.
        assertThat(recorders.get(0).batches.get(0)).isSameAs(recorders.get(2).batches.get(0));
    }

    @Test
    void aFailedFollowFailsItsSubscribersAndTheNextSubscriberTriesAgain() throws Exception {
        Recorder first = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> join = hub.subscribe(first, List.of("ok", "down"));
        eventually(() -> source.pending.size() == 2);
        source.answer("ok", at(1));
        source.fail("down");
        CompletableFuture<List<TopicView>> failed = join.toCompletionStage().toCompletableFuture();
        eventually(failed::isDone);
        assertThat(failed).isCompletedExceptionally();
        // The failed subscriber was taken out everywhere: its working topic is unfollowed.
        eventually(() -> source.calls.contains("unfollow ok"));

        Recorder second = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> retry = hub.subscribe(second, List.of("down"));
        eventually(() -> source.pending.contains("down"));
        source.answer("down", at(9));
        assertThat(await(retry)).containsExactly(new TopicView("down", at(9)));
        assertThat(source.calls).containsExactly("follow ok", "follow down", "unfollow ok", "follow down");
    }

    @Test
    void aReplacedHistoryReachesEverySubscriberAndMovesTheJoinPosition() throws Exception {
        Recorder subscriber = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> join = hub.subscribe(subscriber, List.of("t"));
        eventually(() -> source.pending.contains("t"));
        source.answer("t", at(5));
        await(join);
        TopicPosition fresh = new TopicPosition("bbbbbbbb", new StreamId(1, 0));
        source.context.runOnContext(v -> source.feed.onHistoryReplaced("t", fresh));
        eventually(() -> subscriber.seen.size() == 1);
        assertThat(subscriber.seen).containsExactly("replaced t bbbbbbbb:1-0");
        Recorder late = new Recorder(vertx.getOrCreateContext());
        assertThat(await(hub.subscribe(late, List.of("t")))).containsExactly(new TopicView("t", fresh));
    }

    @Test
    void eventsOfATopicNobodyFollowsAnyMoreAreDropped() throws Exception {
        Recorder subscriber = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> join = hub.subscribe(subscriber, List.of("t"));
        eventually(() -> source.pending.contains("t"));
        source.answer("t", at(1));
        await(join);
        hub.unsubscribe(subscriber, List.of("t"));
        eventually(() -> source.calls.contains("unfollow t"));
        source.push("t", 2);
        Recorder probe = new Recorder(vertx.getOrCreateContext());
        Future<List<TopicView>> again = hub.subscribe(probe, List.of("t"));
        eventually(() -> source.pending.contains("t"));
        source.answer("t", at(2));
        assertThat(await(again)).containsExactly(new TopicView("t", at(2)));
        assertThat(subscriber.seen).isEmpty();
        assertThat(probe.seen).isEmpty();
    }

    @Test
    void eventsPushedAsSoonAsAFollowIsAnsweredReachItsSubscribers() throws Exception {
        // The broker's answer can be handled before follow() even returns (a reply read on another event loop), and
        // the source then reads the next event at once: none of what comes after the subscriber's view may be lost.
        source.answerAtOnce = at(5);
        Recorder subscriber = new Recorder(vertx.getOrCreateContext());
        List<TopicView> views = await(hub.subscribe(subscriber, List.of("t")));
        source.push("t", 7);
        eventually(() -> subscriber.seen.contains("t@7-0"));
        StreamId view = views.get(0).position().id();
        for (long id : new long[]{6, 7}) {
            if (view.isBefore(new StreamId(id, 0))) {
                assertThat(subscriber.seen).as("after view %s", view).contains("t@" + id + "-0");
            }
        }
    }
}
