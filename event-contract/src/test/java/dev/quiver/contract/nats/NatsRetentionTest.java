package dev.quiver.contract.nats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventOp;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.RetentionPolicy;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.testing.StoredEvents;
import dev.quiver.testkit.NatsServer;

/** Trimming on JetStream against a real nats-server: limits, the kept last message per key, the floor. */
class NatsRetentionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static NatsServer server;
    private static NatsBroker broker;
    private static NatsEventWriter writer;
    private static NatsRetention retention;
    private static StoredEvents stored;

    @BeforeAll
    static void start() {
        server = NatsServer.start();
        broker = new NatsBroker(NatsEventWriterTest.config(server.url(), "QN", Duration.ofSeconds(2)),
                NatsEventWriterTest.events());
        retention = new NatsRetention(broker);
        writer = new NatsEventWriter(broker, new RetentionPolicy(NatsEventWriterTest.events()), retention);
        stored = StoredEvents.nats(server, broker.layout());
    }

    @AfterAll
    static void stop() {
        broker.close();
        server.close();
    }

    @Test
    void aCountLimitKeepsTheNewestEventsAndTheLastOfEveryKeyAndRecordsTheHighestRemoved() throws Exception {
        String topic = "r.count";
        List<Long> seqs = new ArrayList<>();
        seqs.add(write(topic, "quiet", EventOp.UPSERT, "q1"));
        for (int i = 0; i < 10; i++) {
            seqs.add(write(topic, "busy", EventOp.UPSERT, "b" + i));
            seqs.add(write(topic, null, null, "n" + i));
        }
        seqs.add(write(topic, "gone", EventOp.UPSERT, "g"));
        seqs.add(write(topic, "gone", EventOp.DELETE, "null"));
        Map<String, String> stateBefore = stored.state(topic);

        NatsRetention.Trim trim = retention.trim(topic, new RetentionPolicy.Limits(5, Duration.ZERO), Instant.now());

        List<String> kept = stored.entries(topic).stream().map(entry -> (String) entry.get(0)).toList();
        // The five newest, plus the quiet key's only event (its state) below them.
        List<Long> newest = seqs.subList(seqs.size() - 5, seqs.size());
        assertThat(kept).containsExactlyElementsOf(concat(seqs.get(0), newest));
        assertThat(stored.state(topic)).isEqualTo(stateBefore);
        // Everything else below the five newest is gone; the floor is the highest of it.
        long highestRemoved = seqs.get(seqs.size() - 6);
        assertThat(trim.floor()).isEqualTo(highestRemoved);
        assertThat(retention.floor(topic)).isEqualTo(highestRemoved);
        assertThat(stored.trimmed(topic)).isTrue();
    }

    @Test
    void aDeletedKeysLastEventGoesWithItsHistory() throws Exception {
        String topic = "r.deleted";
        long put = write(topic, "k", EventOp.UPSERT, "1");
        long delete = write(topic, "k", EventOp.DELETE, "null");
        long last = write(topic, null, null, "x");
        retention.trim(topic, new RetentionPolicy.Limits(1, Duration.ZERO), Instant.now());
        assertThat(stored.entries(topic)).extracting(entry -> entry.get(0)).containsExactly(id(last));
        assertThat(retention.floor(topic)).isEqualTo(delete).isGreaterThan(put);
    }

    @Test
    void theFloorNeverGoesDownAndTheNewestEventIsNeverRemoved() throws Exception {
        String topic = "r.floor";
        for (int i = 0; i < 6; i++) {
            write(topic, null, null, Integer.toString(i));
        }
        long floor = retention.trim(topic, new RetentionPolicy.Limits(2, Duration.ZERO), Instant.now()).floor();
        assertThat(floor).isPositive();
        // A looser limit later removes nothing and keeps the floor.
        assertThat(retention.trim(topic, new RetentionPolicy.Limits(100, Duration.ZERO), Instant.now()).removed())
                .isZero();
        assertThat(retention.floor(topic)).isEqualTo(floor);
        // An age limit every event is past still leaves the newest one.
        long newest = write(topic, null, null, "last");
        retention.trim(topic, new RetentionPolicy.Limits(0, Duration.ofMillis(1)), Instant.now().plusSeconds(60));
        assertThat(stored.entries(topic)).extracting(entry -> entry.get(0)).containsExactly(id(newest));
        assertThat(retention.floor(topic)).isGreaterThan(floor);
    }

    @Test
    void theWriterTrimsATopicOnceItIsDue() throws InterruptedException {
        RetentionPolicy tiny = new RetentionPolicy(NatsEventWriterTest.events()) {

            @Override
            public Limits limitsFor(String topic) {
                return new Limits(3, Duration.ZERO);
            }
        };
        NatsEventWriter trimming = new NatsEventWriter(broker, tiny, retention);
        String topic = "r.writer";
        for (int i = 0; i < 30; i++) {
            trimming.append(topic, List.of(new AppendRequest(new EventDraft(topic, "t", null, null, "1"), null)))
                    .await().atMost(WAIT);
        }
        // Trims run off the request's path: the last one may still be running.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (stored.length(topic) > 4 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(stored.length(topic)).isLessThanOrEqualTo(4);
        assertThat(stored.trimmed(topic)).isTrue();
    }

    private static List<String> concat(long first, List<Long> rest) {
        List<String> all = new ArrayList<>(List.of(id(first)));
        rest.forEach(seq -> all.add(id(seq)));
        return all;
    }

    private static String id(long seq) {
        return NatsLayout.id(seq).toString();
    }

    private static long write(String topic, String key, EventOp op, String data) {
        String json = data.equals("null") ? "null" : "\"" + data + "\"";
        String id = writer.append(topic, List.of(new AppendRequest(new EventDraft(topic, "t", key, op, json), null)))
                .await().atMost(WAIT).ids().get(0);
        return NatsLayout.sequence(StreamId.parse(id));
    }
}
