package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class IdempotencyTest extends IngestTestSupport {

    private static ValidatableResponse postWithKey(String topic, String key, String body) {
        return json(body).header("Idempotency-Key", key).post("/v1/topics/{topic}/events", topic).then();
    }

    @Test
    void retryReturnsTheSameIdAndWritesNothing() {
        String topic = freshTopic("idem");
        String body = "{\"type\":\"paid\",\"key\":\"o1\",\"data\":{\"amount\":5}}";
        String id = postWithKey(topic, "pay-o1", body).statusCode(202).header("Idempotent-Replayed", nullValue())
                .extract().path("id");
        postWithKey(topic, "pay-o1", body).statusCode(202).body("id", equalTo(id))
                .header("Idempotent-Replayed", "true");
        assertThat(length(topic)).isEqualTo(1);
    }

    @Test
    void sameKeyWithAnotherBodyIs409AndWritesNothing() {
        String topic = freshTopic("idem");
        postWithKey(topic, "k", "{\"type\":\"paid\",\"data\":1}").statusCode(202);
        problem(postWithKey(topic, "k", "{\"type\":\"paid\",\"data\":2}"), 409, "idempotency-conflict");
        assertThat(length(topic)).isEqualTo(1);
    }

    @Test
    void keysAreScopedToTheTopic() {
        String body = "{\"type\":\"x\",\"data\":1}";
        String a = freshTopic("idem-a");
        String b = freshTopic("idem-b");
        String idA = postWithKey(a, "shared", body).statusCode(202).extract().path("id");
        String idB = postWithKey(b, "shared", body).statusCode(202).extract().path("id");
        assertThat(length(a)).isEqualTo(1);
        assertThat(length(b)).isEqualTo(1);
        assertThat(idA).isNotNull();
        assertThat(idB).isNotNull();
    }

    @Test
    void twentyConcurrentRetriesYieldOneEntry() throws Exception {
        String topic = freshTopic("idem-race");
        String body = "{\"type\":\"paid\",\"key\":\"o1\",\"data\":{\"amount\":5}}";
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Callable<String> retry = () -> {
                    start.await();
                    return postWithKey(topic, "race", body).statusCode(202).extract().path("id");
                };
                ids.add(pool.submit(retry));
            }
            start.countDown();
            Set<String> distinct = new HashSet<>();
            for (Future<String> id : ids) {
                distinct.add(id.get());
            }
            assertThat(distinct).hasSize(1);
            assertThat(length(topic)).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void invalidKeysAre400() {
        String topic = freshTopic("idem-bad");
        problem(postWithKey(topic, "x".repeat(256), "{\"type\":\"x\",\"data\":1}"), 400, "invalid-request")
                .body("field", equalTo("header:Idempotency-Key"));
        problem(given().contentType("application/json").header("Idempotency-Key", "caf\u00e9")
                .body("{\"type\":\"x\",\"data\":1}".getBytes(StandardCharsets.UTF_8))
                .post("/v1/topics/{topic}/events", topic).then(), 400, "invalid-request");
        assertThat(length(topic)).isZero();
    }
}
