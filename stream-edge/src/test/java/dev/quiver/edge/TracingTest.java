package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.testkit.BrokerTestResource;

/**
 * With tracing on, the edge records one span per batch it hands to a topic's subscribers, linked to the publish's
 * trace, never a span per delivery; the events carry their traceparent; a stream is not one endless span.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@TestProfile(TracingTest.TracingOn.class)
class TracingTest extends EdgeTestSupport {

    private static final String PUBLISH_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PUBLISH = "00-" + PUBLISH_TRACE + "-00f067aa0ba902b7-01";

    public static class TracingOn implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

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

    private List<SpanData> await(java.util.function.Predicate<List<SpanData>> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<SpanData> finished = spans.getFinishedSpanItems();
            if (done.test(finished)) {
                return finished;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("spans so far: " + spans.getFinishedSpanItems());
    }

    @Test
    void oneSpanPerDeliveredBatchLinkedToThePublishAndNoneForTheStream() throws InterruptedException {
        String topic = freshTopic("traced");
        try (SseClient first = SseClient.open(stream("topic=" + topic));
                SseClient second = SseClient.open(stream("topic=" + topic))) {
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
            writer.append(topic, List.of(new AppendRequest(new EventDraft(topic, "t", null, null, "1"), null, PUBLISH)))
                    .await().atMost(WAIT);
            assertThat(first.next(WAIT).data()).contains("\"traceparent\":\"" + PUBLISH + "\"");
            assertThat(second.next(WAIT).data()).contains("\"traceparent\":\"" + PUBLISH + "\"");
            // A short request is traced as usual, which shows that the missing stream spans are a choice.
            given().get(poll("topic=" + topic + "&timeout=0")).then().statusCode(200);

            List<SpanData> finished = await(all -> all.stream().anyMatch(s -> s.getName().equals("deliver " + topic))
                    && all.stream().anyMatch(s -> s.getKind() == SpanKind.SERVER));
            List<SpanData> deliveries = finished.stream().filter(s -> s.getName().equals("deliver " + topic))
                    .toList();
            assertThat(deliveries).as("one span for the batch, not one per connection").hasSize(1);
            SpanData delivery = deliveries.get(0);
            assertThat(delivery.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(delivery.getLinks()).hasSize(1);
            assertThat(delivery.getLinks().get(0).getSpanContext().getTraceId()).isEqualTo(PUBLISH_TRACE);
            assertThat(delivery.getAttributes().asMap().toString()).contains("quiver.subscribers=2");
        }
        // The streams have ended: a span for them would be finished (and exported) now, and there is none.
        Thread.sleep(1000);
        assertThat(spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER)
                .map(SpanData::getName)).as("server spans").anyMatch(name -> name.contains("/v1/poll"))
                .noneMatch(name -> name.contains("/v1/stream"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aWebSocketPublishKeepsTheTraceparentItWasGivenWhenWellFormed() {
        String topic = freshTopic("traced");
        try (WsTestClient client = new WsTestClient(root, null)) {
            client.send("{\"op\":\"publish\",\"ref\":\"a\",\"topic\":\"" + topic + "\",\"traceparent\":\"" + PUBLISH
                    + "\",\"event\":{\"type\":\"t\",\"data\":1}}");
            client.nextOp("published", WAIT);
            client.send("{\"op\":\"publish\",\"ref\":\"b\",\"topic\":\"" + topic
                    + "\",\"traceparent\":\"not-one\",\"event\":{\"type\":\"t\",\"data\":2}}");
            client.nextOp("published", WAIT);
        }
        List<List<Object>> entries = (List<List<Object>>) redis.call("XRANGE",
                new dev.quiver.contract.redis.TopicKeys(topic).stream(), "-", "+");
        assertThat((List<Object>) entries.get(0).get(1)).containsSequence("traceparent", PUBLISH);
        assertThat((List<Object>) entries.get(1).get(1)).doesNotContain("traceparent");
    }
}
