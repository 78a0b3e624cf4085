package dev.quiver.snapshot;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventOp;
import dev.quiver.contract.publish.EventStore;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.contract.testing.StoredEvents;
import dev.quiver.testkit.InjectNatsServer;
import dev.quiver.testkit.InjectRedisServer;
import dev.quiver.testkit.NatsServer;
import dev.quiver.testkit.RedisServer;

/** Writes through the broker's real writer, as ingest does, and looks into the broker directly. */
abstract class SnapshotTestSupport {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    @InjectRedisServer
    RedisServer redis;

    @InjectNatsServer
    NatsServer nats;

    @Inject
    EventStore writer;

    /** The epoch each topic's last write reported. */
    private final Map<String, String> epochs = new ConcurrentHashMap<>();

    static String freshTopic(String prefix) {
        return prefix + "." + TOPICS.incrementAndGet() + "." + System.nanoTime();
    }

    String upsert(String topic, String key, String data) {
        return append(topic, new EventDraft(topic, "set", key, EventOp.UPSERT, data));
    }

    String delete(String topic, String key) {
        return append(topic, new EventDraft(topic, "del", key, EventOp.DELETE, "null"));
    }

    String note(String topic, String data) {
        return append(topic, new EventDraft(topic, "note", null, null, data));
    }

    private String append(String topic, EventDraft draft) {
        AppendResult result = writer.append(topic, List.of(new AppendRequest(draft, null)))
                .await().atMost(Duration.ofSeconds(10));
        epochs.put(topic, result.epoch());
        return result.ids().get(0);
    }

    /** The topic's epoch, as its last write here reported it. */
    String epoch(String topic) {
        return epochs.get(topic);
    }

    /** What the broker holds, read directly. */
    StoredEvents stored() {
        return redis != null ? StoredEvents.redis(redis) : StoredEvents.nats(nats);
    }
}
