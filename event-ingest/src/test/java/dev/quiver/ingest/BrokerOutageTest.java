package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.contract.problem.ProblemMappers;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class BrokerOutageTest extends IngestTestSupport {

    private static final String EVENT = "{\"type\":\"x\",\"data\":1}";

    @Test
    void brokerDownMeans503AndNotReadyThenRecovers() {
        String topic = freshTopic("outage");
        post(topic, EVENT).statusCode(202);
        given().get("/q/health/ready").then().statusCode(200);

        broker.stop();
        try {
            problem(post(topic, EVENT), 503, "backend-unavailable").header("Retry-After", notNullValue());
            problem(json("[{\"topic\":\"" + topic + "\",\"type\":\"x\",\"data\":1}]").post("/v1/events").then(), 503,
                    "backend-unavailable");
            given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
            // Liveness is about this process, not its dependencies: restarting the pod would not bring the broker back.
            given().get("/q/health/live").then().statusCode(200);
        } finally {
            broker.restart();
        }

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> post(topic, EVENT).statusCode(202));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void aFrozenBrokerMakesReadinessDownQuickly() {
        given().get("/q/health/ready").then().statusCode(200);
        broker.freeze();
        try {
            long started = System.nanoTime();
            given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
            // quiver.health.redis-timeout is 1 s: well inside a probe's timeout, where it used to hang for 13-18 s.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        } finally {
            broker.thaw();
        }
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    @Test
    void refusedRequestsDuringAnOutageLogAFewLinesNotOnePerRequest() {
        String topic = freshTopic("outage-log");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {

            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    lines.add(String.valueOf(record.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(ProblemMappers.class.getName());
        logger.addHandler(capture);
        broker.stop();
        try {
            for (int i = 0; i < 300; i++) {
                post(topic, EVENT).statusCode(503);
            }
        } finally {
            logger.removeHandler(capture);
            broker.restart();
        }
        // One line per 10 s (none if an earlier test of this class logged the same kind moments ago), never 300.
        assertThat(lines).hasSizeLessThanOrEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> post(topic, EVENT).statusCode(202));
    }
}
