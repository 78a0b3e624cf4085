package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.RedisTestResource;

@QuarkusTest
@WithTestResource(RedisTestResource.class)
class RedisOutageTest extends IngestTestSupport {

    private static final String EVENT = "{\"type\":\"x\",\"data\":1}";

    @Test
    void redisDownMeans503AndNotReadyThenRecovers() {
        String topic = freshTopic("outage");
        post(topic, EVENT).statusCode(202);
        given().get("/q/health/ready").then().statusCode(200);

        redis.stop();
        try {
            problem(post(topic, EVENT), 503, "backend-unavailable").header("Retry-After", notNullValue());
            problem(json("[{\"topic\":\"" + topic + "\",\"type\":\"x\",\"data\":1}]").post("/v1/events").then(), 503,
                    "backend-unavailable");
            given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
            // Liveness is about this process, not its dependencies: restarting the pod would not bring Redis back.
            given().get("/q/health/live").then().statusCode(200);
        } finally {
            redis.restart();
        }

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> post(topic, EVENT).statusCode(202));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
