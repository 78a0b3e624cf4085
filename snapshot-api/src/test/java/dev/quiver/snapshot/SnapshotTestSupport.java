package dev.quiver.snapshot;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventOp;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.EventWriter;
import dev.quiver.testkit.InjectRedisServer;
import dev.quiver.testkit.RedisServer;

/** Writes through the real append script, as ingest does. */
abstract class SnapshotTestSupport {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    @InjectRedisServer
    RedisServer redis;

    @Inject
    EventWriter writer;

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
        return writer.append(topic, List.of(new AppendRequest(draft, null))).await().atMost(Duration.ofSeconds(10))
                .ids().get(0);
    }

    String epoch(String topic) {
        return (String) redis.call("HGET", "{q:t:" + topic + "}:meta", "epoch");
    }
}
