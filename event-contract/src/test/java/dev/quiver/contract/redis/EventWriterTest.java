package dev.quiver.contract.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

import dev.quiver.contract.cursor.TopicCursor;
import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventOp;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.testkit.RedisServer;
import dev.quiver.testkit.RedisServerExtension;
import dev.quiver.testkit.RespClient;

/** The append script against a real redis-server, without Quarkus. */
@ExtendWith(RedisServerExtension.class)
class EventWriterTest {

    private static Vertx vertx;
    private static Redis client;
    private static RedisServer redis;

    @BeforeAll
    static void connect(RedisServer server) {
        redis = server;
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, server.uri());
    }

    @AfterAll
    static void disconnect() {
        client.close();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void empty() {
        redis.flushAll();
    }

    private static EventWriter writer(TestConfig config) {
        return new EventWriter(client, new RetentionPolicy(config), config, TestConfig.noWait());
    }

    private static AppendRequest upsert(String topic, String key, String data, String idempotencyKey) {
        return new AppendRequest(new EventDraft(topic, "t", key, EventOp.UPSERT, data), idempotencyKey);
    }

    private static AppendResult append(EventWriter writer, String topic, AppendRequest... events) {
        return writer.append(topic, List.of(events)).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void appendsToStreamStateAndMetaTogether() {
        EventWriter writer = writer(TestConfig.defaults());
        TopicKeys keys = new TopicKeys("orders");
        AppendResult first = append(writer, "orders",
                upsert("orders", "o1", "{\"n\":1}", null),
                new AppendRequest(new EventDraft("orders", "note", null, null, "\"hello\""), null),
                upsert("orders", "o2", "[1,2]", null));
        AppendResult second = append(writer, "orders",
                new AppendRequest(new EventDraft("orders", "gone", "o1", EventOp.DELETE, "null"), null));

        assertThat(first.ids()).hasSize(3);
        assertThat(first.replayed()).containsExactly(false, false, false);
        assertThat(TopicCursor.isEpoch(first.epoch())).isTrue();
        assertThat(second.epoch()).as("the epoch is created once").isEqualTo(first.epoch());

        @SuppressWarnings("unchecked")
        List<List<Object>> entries = (List<List<Object>>) redis.call("XRANGE", keys.stream(), "-", "+");
        assertThat(entries).extracting(e -> e.get(0)).containsExactly(first.ids().get(0), first.ids().get(1),
                first.ids().get(2), second.ids().get(0));
        assertThat(entries.get(0).get(1))
                .isEqualTo(List.of("type", "t", "key", "o1", "op", "upsert", "data", "{\"n\":1}"));
        assertThat(entries.get(1).get(1)).isEqualTo(List.of("type", "note", "data", "\"hello\""));

        assertThat(redis.call("HGETALL", keys.state())).isEqualTo(List.of("o2", first.ids().get(2) + " [1,2]"));
        assertThat(redis.call("HGET", keys.meta(), "cursor")).isEqualTo(second.ids().get(0));
        assertThat(redis.call("HGET", keys.meta(), "floor")).as("nothing trimmed yet").isNull();
    }

    @Test
    void idempotentRetryReturnsTheSameIdAndWritesNothing() {
        EventWriter writer = writer(TestConfig.defaults());
        AppendResult first = append(writer, "t", upsert("t", "k", "1", "key-1"));
        AppendResult retry = append(writer, "t", upsert("t", "k", "1", "key-1"));

        assertThat(retry.ids()).isEqualTo(first.ids());
        assertThat(retry.replayed()).containsExactly(true);
        assertThat(redis.call("XLEN", new TopicKeys("t").stream())).isEqualTo(1L);
        Object ttl = redis.call("PTTL", new TopicKeys("t").idempotency(EventWriter.digest("key-1")));
        assertThat((Long) ttl).isBetween(Duration.ofHours(23).toMillis(), Duration.ofHours(24).toMillis());
    }

    @Test
    void conflictingReuseOfAKeyWritesNothingAtAll() {
        EventWriter writer = writer(TestConfig.defaults());
        append(writer, "t", upsert("t", "k", "1", "key-1"));

        assertThatThrownBy(() -> append(writer, "t",
                upsert("t", "fresh", "2", "key-2"),
                upsert("t", "k", "DIFFERENT", "key-1")))
                .isInstanceOfSatisfying(IdempotencyConflictException.class, e -> assertThat(e.index()).isEqualTo(1));

        TopicKeys keys = new TopicKeys("t");
        assertThat(redis.call("XLEN", keys.stream())).isEqualTo(1L);
        assertThat(redis.call("HEXISTS", keys.state(), "fresh")).isEqualTo(0L);
        assertThat(redis.call("EXISTS", keys.idempotency(EventWriter.digest("key-2")))).isEqualTo(0L);
    }

    @Test
    void countRetentionTrimsHistoryButNeverState() {
        EventWriter writer = writer(TestConfig.defaults().withRetention(10, Duration.ZERO));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ids.add(append(writer, "busy", upsert("busy", "k" + (i % 7), Integer.toString(i), null)).ids().get(0));
        }
        TopicKeys keys = new TopicKeys("busy");
        long length = (Long) redis.call("XLEN", keys.stream());
        // Approximate trimming removes whole radix-tree nodes (100 entries by default), never below the limit.
        assertThat(length).isBetween(10L, 200L);
        String floor = (String) redis.call("HGET", keys.meta(), "floor");
        @SuppressWarnings("unchecked")
        List<List<Object>> first = (List<List<Object>>) redis.call("XRANGE", keys.stream(), "-", "+", "COUNT", "1");
        assertThat(floor).as("floor is the first id still kept").isEqualTo(first.get(0).get(0));
        assertThat(ids.indexOf(floor)).isEqualTo(500 - (int) length);
        assertThat(redis.call("HLEN", keys.state())).isEqualTo(7L);
    }

    @Test
    void ageRetentionTrimsEventsOlderThanMaxAge() throws InterruptedException {
        TestConfig config = TestConfig.defaults().withRetention(0, Duration.ofMillis(1));
        TopicKeys keys = new TopicKeys("aged");
        // Fill more than one stream node with events that are old by the time the next append looks.
        EventWriter filler = writer(config.withRetention(0, Duration.ZERO));
        for (int i = 0; i < 250; i++) {
            append(filler, "aged", upsert("aged", "k", Integer.toString(i), null));
        }
        Thread.sleep(5);
        append(writer(config), "aged", upsert("aged", "k", "last", null));

        assertThat((Long) redis.call("XLEN", keys.stream())).isLessThan(100L);
        assertThat(redis.call("HGET", keys.meta(), "floor")).isNotNull();
        assertThat(redis.call("HGET", keys.state(), "k")).asString().endsWith(" last");
    }

    @Test
    void recoversWhenRedisForgotTheScript() {
        EventWriter writer = writer(TestConfig.defaults());
        append(writer, "t", upsert("t", "k", "1", null));
        redis.call("SCRIPT", "FLUSH");
        assertThat(append(writer, "t", upsert("t", "k", "2", null)).ids()).hasSize(1);
        assertThat(redis.call("XLEN", new TopicKeys("t").stream())).isEqualTo(2L);
    }

    @Test
    void foreignDataInOurKeysIsAnInternalErrorNotAnOutage() {
        redis.call("SET", new TopicKeys("t").stream(), "not a stream");
        assertThatThrownBy(() -> append(writer(TestConfig.defaults()), "t", upsert("t", "k", "1", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WRONGTYPE");
    }

    @Test
    void redisDownIsA503() {
        Vertx other = Vertx.vertx();
        try {
            Redis nowhere = Redis.createClient(other, "redis://127.0.0.1:" + RedisServer.freePort());
            TestConfig config = TestConfig.defaults();
            EventWriter writer = new EventWriter(nowhere, new RetentionPolicy(config), config, TestConfig.noWait());
            assertThatThrownBy(() -> append(writer, "t", upsert("t", "k", "1", null)))
                    .isInstanceOfSatisfying(ProblemException.class, e -> {
                        assertThat(e.type()).isEqualTo(ProblemType.BACKEND_UNAVAILABLE);
                        assertThat(e.retryAfterSeconds()).isPositive();
                    });
        } finally {
            other.closeAndAwait();
        }
    }

    @Test
    void scriptRunsOnRedis62Too() throws Exception {
        // The oldest Redis Quiver supports: the embedded-redis binary is 6.2.
        Vertx other = Vertx.vertx();
        try (RedisServer old = RedisServer.start(RedisServer.embeddedExecutable())) {
            Redis oldClient = Redis.createClient(other, old.uri());
            TestConfig config = TestConfig.defaults().withRetention(5, Duration.ofHours(1));
            EventWriter writer = new EventWriter(oldClient, new RetentionPolicy(config), config, TestConfig.noWait());
            for (int i = 0; i < 300; i++) {
                append(writer, "t", upsert("t", "k", Integer.toString(i), "key-" + i));
            }
            assertThat(append(writer, "t", upsert("t", "k", "0", "key-0")).replayed()).containsExactly(true);
            TopicKeys keys = new TopicKeys("t");
            assertThat((Long) old.call("XLEN", keys.stream())).isLessThan(300L);
            assertThat(old.call("HGET", keys.meta(), "floor")).isNotNull();
            assertThat(old.call("HGET", keys.state(), "k")).asString().endsWith(" 299");

            // Without sharded Pub/Sub the script publishes on the plain channel of the same name.
            try (RespClient subscriber = new RespClient("127.0.0.1", old.port())) {
                subscriber.call("SUBSCRIBE", keys.live());
                AppendResult written = append(writer, "t", upsert("t", "k", "300", null));
                List<?> message = (List<?>) subscriber.next();
                assertThat(message.get(0)).isEqualTo("message");
                assertThat(liveMessage(message).id().toString()).isEqualTo(written.ids().get(0));
            }
        } finally {
            other.closeAndAwait();
        }
    }

    @Test
    void everyWrittenEventIsPublishedOnItsLiveChannelWithTheIdBeforeIt() {
        EventWriter writer = writer(TestConfig.defaults());
        TopicKeys keys = new TopicKeys("orders");
        try (RespClient subscriber = new RespClient("127.0.0.1", redis.port())) {
            subscriber.call("SSUBSCRIBE", keys.live());
            AppendResult first = append(writer, "orders",
                    upsert("orders", "o1", "{\"n\":1}", "k1"),
                    new AppendRequest(new EventDraft("orders", "note", null, null, "\"a,b:c\\n 3:x,\""), null));
            // A replayed event was published when it was written; only the new one goes out now.
            AppendResult second = append(writer, "orders",
                    upsert("orders", "o1", "{\"n\":1}", "k1"),
                    new AppendRequest(new EventDraft("orders", "gone", "o2", EventOp.DELETE, "null"), null));
            redis.call("SPUBLISH", keys.live(), "end");

            List<LiveMessage> messages = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<?> push = (List<?>) subscriber.next();
                assertThat(List.<Object>copyOf(push.subList(0, 2))).containsExactly("smessage", keys.live());
                messages.add(liveMessage(push));
            }
            assertThat(((List<?>) subscriber.next()).get(2)).as("nothing else was published").isEqualTo("end");

            List<String> ids = List.of(first.ids().get(0), first.ids().get(1), second.ids().get(1));
            assertThat(messages).extracting(message -> message.id().toString()).containsExactlyElementsOf(ids);
            assertThat(messages)
                    .extracting(message -> message.previous() == null ? null : message.previous().toString())
                    .containsExactly(null, ids.get(0), ids.get(1));
            assertThat(messages).extracting(LiveMessage::epoch).containsOnly(first.epoch());
            List<?> stored = (List<?>) redis.call("XRANGE", keys.stream(), "-", "+");
            for (int i = 0; i < 3; i++) {
                assertThat(messages.get(i).entry().fields()).as("the stream entry's fields, in order")
                        .isEqualTo(((List<?>) stored.get(i)).get(1));
            }
        }
    }

    private static LiveMessage liveMessage(List<?> push) {
        return LiveMessage.decode(((String) push.get(2)).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withWaitReplicasAWriteIsAcknowledgedOnlyOnceAReplicaHasIt() throws Exception {
        Vertx other = Vertx.vertx();
        try (RedisServer primary = RedisServer.start();
                RedisServer replica = RedisServer.start(RedisServer.executable(), RedisServer.freePort(),
                        List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port())))) {
            while (!((String) replica.call("INFO", "replication")).contains("master_link_status:up")) {
                Thread.sleep(20);
            }
            Redis primaryClient = Redis.createClient(other, primary.uri());
            TestConfig config = TestConfig.defaults();
            EventWriter writer = new EventWriter(primaryClient, new RetentionPolicy(config), config,
                    TestConfig.replicas(1, Duration.ofMillis(500)));
            TopicKeys keys = new TopicKeys("t");

            AppendResult acknowledged = append(writer, "t", upsert("t", "k", "1", "first"));
            assertThat(replica.call("XLEN", keys.stream())).as("on the replica when acknowledged").isEqualTo(1L);

            // A replica that does not answer: the write is on the primary only, and that is not acknowledged.
            replica.freeze();
            try {
                assertThatThrownBy(() -> append(writer, "t", upsert("t", "k", "2", "second")))
                        .isInstanceOfSatisfying(ProblemException.class, e -> {
                            assertThat(e.type()).isEqualTo(ProblemType.BACKEND_UNAVAILABLE);
                            assertThat(e.getMessage()).contains("0 of 1 replicas");
                        });
                assertThat(primary.call("XLEN", keys.stream())).isEqualTo(2L);
            } finally {
                replica.thaw();
            }
            // The retry writes nothing twice and is acknowledged once the replica has the first attempt's write.
            AppendResult retried = append(writer, "t", upsert("t", "k", "2", "second"));
            assertThat(retried.replayed()).containsExactly(true);
            assertThat(replica.call("XLEN", keys.stream())).isEqualTo(2L);
            assertThat(primary.call("XLEN", keys.stream())).isEqualTo(2L);
            assertThat(retried.ids().get(0)).isNotEqualTo(acknowledged.ids().get(0));
        } finally {
            other.closeAndAwait();
        }
    }

    @Test
    void everyKeyOfATopicSharesOneHashTag() {
        TopicKeys keys = new TopicKeys("a.b:c-d_e");
        for (String key : List.of(keys.stream(), keys.state(), keys.meta(), keys.live(), keys.idempotency("ff"))) {
            assertThat(key).startsWith("{q:t:a.b:c-d_e}");
        }
    }

    @Test
    void anAgeLimitNeverTrimsTheEventJustWritten() {
        // Everything is "too old" for a 1 ms limit; the newest event must stay, and the floor must name it.
        TestConfig config = TestConfig.defaults().withRetention(0, Duration.ofMillis(1));
        String id = null;
        for (int i = 0; i < 300; i++) {
            id = append(writer(config), "old", upsert("old", "k", Integer.toString(i), null)).ids().get(0);
        }
        TopicKeys keys = new TopicKeys("old");
        assertThat((Long) redis.call("XLEN", keys.stream())).isPositive();
        @SuppressWarnings("unchecked")
        List<List<Object>> last = (List<List<Object>>) redis.call("XREVRANGE", keys.stream(), "+", "-", "COUNT", "1");
        assertThat(last.get(0).get(0)).isEqualTo(id);
        assertThat(redis.call("HGET", keys.meta(), "floor")).isNotNull();
    }

    @Test
    void twoEventsOfOneCallWithOneKeyAndDifferentContentConflict() {
        EventWriter writer = writer(TestConfig.defaults());
        assertThatThrownBy(() -> append(writer, "t", upsert("t", "k", "1", "same"), upsert("t", "k", "2", "same")))
                .isInstanceOfSatisfying(IdempotencyConflictException.class, e -> assertThat(e.index()).isEqualTo(1));
        assertThat(redis.call("EXISTS", new TopicKeys("t").stream())).isEqualTo(0L);
        // The same content twice is one event.
        AppendResult twice = append(writer, "t", upsert("t", "k", "1", "same"), upsert("t", "k", "1", "same"));
        assertThat(twice.ids().get(0)).isEqualTo(twice.ids().get(1));
        assertThat(redis.call("XLEN", new TopicKeys("t").stream())).isEqualTo(1L);
    }

    @Test
    void redisOutOfMemoryIsAnOutageNotADefect() {
        redis.call("CONFIG", "SET", "maxmemory", "1");
        try {
            assertThatThrownBy(() -> append(writer(TestConfig.defaults()), "t", upsert("t", "k", "1", null)))
                    .isInstanceOfSatisfying(ProblemException.class,
                            e -> assertThat(e.type()).isEqualTo(ProblemType.BACKEND_UNAVAILABLE));
        } finally {
            redis.call("CONFIG", "SET", "maxmemory", "0");
        }
    }

    /** Calls of a command since the last CONFIG RESETSTAT, from INFO commandstats (script-run commands included). */
    private static long calls(String command) {
        String stats = (String) redis.call("INFO", "commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    @Test
    void aBatchOverManyTopicsIsOneScriptCallAndEachTopicIsItsOwn() {
        EventWriter writer = writer(TestConfig.defaults());
        append(writer, "t7", upsert("t7", "k", "0", "taken"));
        List<TopicEvents> topics = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            String topic = "t" + t;
            topics.add(new TopicEvents(topic, List.of(upsert(topic, "k", "1", t == 7 ? "taken" : null),
                    upsert(topic, "j", "2", null))));
        }
        redis.call("CONFIG", "RESETSTAT");
        List<TopicOutcome> outcomes = writer.appendAll(topics).await().atMost(Duration.ofSeconds(10));

        assertThat(calls("evalsha") + calls("eval")).as("one round trip, one script run").isEqualTo(1);
        assertThat(outcomes).extracting(TopicOutcome::topic)
                .containsExactlyElementsOf(topics.stream().map(TopicEvents::topic).toList());
        // t7 reused a key for other content: nothing of t7 is written, everything else is.
        assertThat(outcomes.get(7).failure()).isInstanceOfSatisfying(IdempotencyConflictException.class,
                e -> assertThat(e.index()).isZero());
        assertThat(redis.call("XLEN", new TopicKeys("t7").stream())).isEqualTo(1L);
        for (int t = 0; t < 50; t++) {
            if (t == 7) {
                continue;
            }
            TopicKeys keys = new TopicKeys("t" + t);
            AppendResult result = outcomes.get(t).result();
            assertThat(result.ids()).hasSize(2);
            assertThat(redis.call("XLEN", keys.stream())).isEqualTo(2L);
            assertThat(redis.call("HGET", keys.meta(), "cursor")).isEqualTo(result.ids().get(1));
            assertThat(redis.call("HGET", keys.meta(), "epoch")).isEqualTo(result.epoch());
            assertThat(redis.call("HGET", keys.state(), "j")).isEqualTo(result.ids().get(1) + " 2");
            assertThat(redis.call("ZRANGE", keys.index(), "0", "-1")).isEqualTo(List.of("j", "k"));
        }
    }

    @Test
    void callsHoldOneSlotOnAClusterAndABoundedNumberOfEventsEverywhere() {
        TestConfig config = TestConfig.defaults();
        EventWriter single = writer(config);
        EventWriter cluster = new EventWriter(client, new RetentionPolicy(config), config, TestConfig.noWait(),
                "cluster");
        List<TopicEvents> topics = new ArrayList<>();
        for (int t = 0; t < 40; t++) {
            List<AppendRequest> events = new ArrayList<>();
            for (int i = 0; i < (t == 3 ? 300 : 10); i++) {
                events.add(upsert("t" + t, "k", Integer.toString(i), null));
            }
            topics.add(new TopicEvents("t" + t, events));
        }
        List<List<TopicEvents>> calls = single.calls(topics);
        assertThat(calls.stream().flatMap(List::stream).toList()).as("every topic once, in order")
                .containsExactlyElementsOf(topics);
        for (List<TopicEvents> call : calls) {
            int events = call.stream().mapToInt(t -> t.events().size()).sum();
            assertThat(events <= EventWriter.EVENTS_PER_CALL || call.size() == 1)
                    .as("a call over the limit holds one topic alone").isTrue();
        }
        for (List<TopicEvents> call : cluster.calls(topics)) {
            assertThat(call.stream().map(t -> KeySlot.of(new TopicKeys(t.topic()).stream())).distinct()).hasSize(1);
        }
    }

    @Test
    void trimmingIsAmortisedButKeepsHistoryWithinAFewPercentOfItsLimit() {
        // 200 entries: trimmed every 2nd append. The count overshoots by at most that, plus the 100-entry nodes
        // approximate trimming keeps whole; the floor still names the first entry kept.
        EventWriter writer = writer(TestConfig.defaults().withRetention(200, Duration.ZERO));
        redis.call("CONFIG", "RESETSTAT");
        for (int i = 0; i < 1000; i++) {
            append(writer, "busy", upsert("busy", "k", Integer.toString(i), null));
        }
        TopicKeys keys = new TopicKeys("busy");
        assertThat(calls("xtrim")).isEqualTo(500);
        assertThat((Long) redis.call("XLEN", keys.stream())).isBetween(200L, 302L);
        @SuppressWarnings("unchecked")
        List<List<Object>> first = (List<List<Object>>) redis.call("XRANGE", keys.stream(), "-", "+", "COUNT", "1");
        assertThat(redis.call("HGET", keys.meta(), "floor")).isEqualTo(first.get(0).get(0));

        // An age limit of 100 s is checked at most once a second, whatever the rate.
        EventWriter aged = writer(TestConfig.defaults().withRetention(0, Duration.ofSeconds(100)));
        redis.call("CONFIG", "RESETSTAT");
        long started = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            append(aged, "aged", upsert("aged", "k", Integer.toString(i), null));
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        assertThat(calls("xtrim")).isBetween(1L, seconds + 2);
    }

    @Test
    void aPublishsTraceparentIsStoredLastAndEncodedForSubscribers() {
        EventWriter writer = writer(TestConfig.defaults());
        String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        AppendResult result = append(writer, "traced", new AppendRequest(
                new EventDraft("traced", "t", "k", EventOp.UPSERT, "{\"n\":1}"), null, tp),
                new AppendRequest(new EventDraft("traced", "t", null, null, "2"), null));
        @SuppressWarnings("unchecked")
        List<List<Object>> entries = (List<List<Object>>) redis.call("XRANGE", new TopicKeys("traced").stream(), "-",
                "+");
        @SuppressWarnings("unchecked")
        List<String> first = (List<String>) entries.get(0).get(1);
        assertThat(first).containsExactly("type", "t", "key", "k", "op", "upsert", "data", "{\"n\":1}",
                "traceparent", tp);
        String json = new String(dev.quiver.contract.event.EventCodec.encode("traced",
                StreamId.parse(result.ids().get(0)), first), StandardCharsets.UTF_8);
        assertThat(json).endsWith(",\"traceparent\":\"" + tp + "\"}");
        @SuppressWarnings("unchecked")
        List<String> second = (List<String>) entries.get(1).get(1);
        assertThat(second).doesNotContain("traceparent");
        assertThat(new String(dev.quiver.contract.event.EventCodec.encode("traced",
                StreamId.parse(result.ids().get(1)), second), StandardCharsets.UTF_8)).doesNotContain("traceparent");
    }

    @Test
    void onlyWellFormedTraceparentsAreKept() {
        String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assertThat(dev.quiver.contract.event.Traceparent.valid(" " + tp + " ")).isEqualTo(tp);
        for (String bad : List.of("", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", tp + "\r\nx: y")) {
            assertThat(dev.quiver.contract.event.Traceparent.valid(bad)).as(bad).isNull();
        }
        assertThat(dev.quiver.contract.event.Traceparent.of("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                false)).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    }
}
