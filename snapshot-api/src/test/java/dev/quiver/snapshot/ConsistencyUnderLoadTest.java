package dev.quiver.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

import dev.quiver.contract.redis.StreamId;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

/**
 * The snapshot promise under load: while a writer hammers 500 keys with 5,000 upserts and deletes, readers take paged
 * snapshots (their pages reflect different moments) and then page history after the snapshot's cursor, applying an
 * event only when it is newer than the entity they hold. Every reader ends with exactly the writer's final state,
 * and no event is ever applied twice.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class ConsistencyUnderLoadTest extends SnapshotTestSupport {

    private static final int EVENTS = 5_000;
    private static final int KEYS = 500;

    /** What a reader holds per key: the id that set it and the data. */
    private record Held(StreamId id, String data) {
    }

    @Test
    void snapshotPlusHistoryAlwaysFoldsToTheWritersFinalState() throws Exception {
        String topic = freshTopic("load");
        AtomicInteger written = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        Map<String, String> finalState = new HashMap<>();

        CompletableFuture<Void> writerDone = CompletableFuture.runAsync(() -> {
            Random random = new Random(7);
            for (int i = 0; i < EVENTS; i++) {
                String key = "k" + random.nextInt(KEYS);
                if (random.nextInt(4) == 0) {
                    delete(topic, key);
                    finalState.remove(key);
                } else {
                    String data = "{\"i\":" + i + "}";
                    upsert(topic, key, data);
                    finalState.put(key, data);
                }
                written.incrementAndGet();
            }
            done.set(true);
        });

        List<CompletableFuture<Map<String, Held>>> readers = new ArrayList<>();
        for (int start : new int[]{250, 1250, 2500, 3750}) {
            readers.add(CompletableFuture.supplyAsync(() -> read(topic, start, written, done)));
        }
        writerDone.get();
        for (CompletableFuture<Map<String, Held>> reader : readers) {
            Map<String, Held> folded = reader.get();
            Map<String, String> data = new HashMap<>();
            folded.forEach((key, held) -> data.put(key, held.data()));
            assertThat(data).isEqualTo(finalState);
        }
        // And the writer's view is Redis's view.
        assertThat(stored().state(topic)).hasSize(finalState.size());
    }

    private Map<String, Held> read(String topic, int startAfter, AtomicInteger written, AtomicBoolean done) {
        while (written.get() < startAfter && !done.get()) {
            Thread.onSpinWait();
        }
        Map<String, Held> held = new HashMap<>();
        String path = "/v1/topics/" + topic + "/snapshot?limit=50";
        String cursor = null;
        while (path != null) {
            ExtractableResponse<Response> page = given().urlEncodingEnabled(false).get(path).then().statusCode(200)
                    .extract();
            if (cursor == null) {
                cursor = page.path("cursor");
            }
            List<Map<String, Object>> entities = page.path("entities");
            for (Map<String, Object> entity : entities) {
                held.put((String) entity.get("key"), new Held(StreamId.parse((String) entity.get("id")),
                        String.valueOf(entity.get("data"))));
            }
            path = page.path("next");
        }
        // Entities came back parsed; keep their data in the writer's text form for the comparison.
        held.replaceAll((key, value) -> new Held(value.id(), "{\"i\":" + value.data().replaceAll("\\D", "") + "}"));

        Set<String> applied = new HashSet<>();
        boolean caughtUp = false;
        while (!caughtUp) {
            boolean writerFinished = done.get();
            ExtractableResponse<Response> history = given().get("/v1/topics/{t}/events?after={c}&limit=500", topic,
                    cursor).then().statusCode(200).extract();
            List<Map<String, Object>> events = history.path("events");
            for (Map<String, Object> event : events) {
                String id = (String) event.get("id");
                String key = (String) event.get("key");
                Held current = held.get(key);
                if (current != null && !current.id().isBefore(StreamId.parse(id))) {
                    continue;
                }
                assertThat(applied.add(id)).as("event %s applied twice", id).isTrue();
                if ("delete".equals(event.get("op"))) {
                    held.remove(key);
                } else {
                    Object data = event.get("data");
                    held.put(key, new Held(StreamId.parse(id), "{\"i\":" + String.valueOf(data).replaceAll("\\D", "")
                            + "}"));
                }
            }
            cursor = history.path("next");
            caughtUp = writerFinished && events.isEmpty();
        }
        return held;
    }
}
