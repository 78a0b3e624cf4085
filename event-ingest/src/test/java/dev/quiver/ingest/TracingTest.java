package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

/**
 * With tracing on, ingest records a span per request, child of the caller's {@code traceparent}, and stores that
 * span's context with the event; a CloudEvent's own {@code traceparent} extension wins.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
@TestProfile(TracingTest.TracingOn.class)
class TracingTest extends IngestTestSupport {

    private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER = "00-" + CALLER_TRACE + "-00f067aa0ba902b7-01";

    /** The one setting that turns tracing on; spans leave quickly, to memory. */
    public static class TracingOn implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    /** Collects every span the application records (a CDI exporter, beside the OTLP one). */
    @ApplicationScoped
    static class InMemoryExporterProducer {

        @Produces
        @Singleton
        InMemorySpanExporter exporter() {
            return InMemorySpanExporter.create();
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void forget() {
        spans.reset();
    }

    private SpanData serverSpanOf(String traceId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (SpanData span : spans.getFinishedSpanItems()) {
                if (span.getKind() == SpanKind.SERVER && span.getTraceId().equals(traceId)) {
                    return span;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no server span of trace " + traceId + " in " + spans.getFinishedSpanItems());
    }

    @Test
    void aPublishIsASpanOfTheCallersTraceAndTheEventCarriesIt() throws InterruptedException {
        String topic = freshTopic("traced");
        json("{\"type\":\"t\",\"data\":1}").header("traceparent", CALLER).post("/v1/topics/" + topic + "/events")
                .then().statusCode(202);
        SpanData server = serverSpanOf(CALLER_TRACE);
        assertThat(server.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        List<List<Object>> entries = entries(topic);
        assertThat(fields(entries.get(0)).get("traceparent"))
                .isEqualTo("00-" + CALLER_TRACE + "-" + server.getSpanId() + "-01");
    }

    @Test
    void aCloudEventsOwnTraceparentIsKept() {
        String topic = freshTopic("traced");
        String own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        given().contentType("application/cloudevents+json").header("traceparent", CALLER)
                .body("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":1,"
                        + "\"traceparent\":\"" + own + "\"}")
                .post("/v1/topics/" + topic + "/events").then().statusCode(202);
        assertThat(fields(entries(topic).get(0)).get("traceparent")).isEqualTo(own);
    }
}
