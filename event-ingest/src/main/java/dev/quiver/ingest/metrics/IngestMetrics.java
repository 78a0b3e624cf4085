package dev.quiver.ingest.metrics;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.quiver.contract.problem.ProblemListener;
import dev.quiver.contract.problem.ProblemType;

/**
 * Ingest metrics. No label carries a topic name: topics are unbounded, and one series per topic would let any
 * publisher blow up the metrics backend.
 */
@ApplicationScoped
public class IngestMetrics implements ProblemListener {

    /** Which API received the request. */
    public enum Endpoint {

        SINGLE,
        BATCH;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Counter jsonEvents;
    private final Counter cloudEvents;
    private final Counter duplicates;
    private final Map<ProblemType, Counter> rejects = new EnumMap<>(ProblemType.class);
    private final Map<Endpoint, DistributionSummary> payloads = new EnumMap<>(Endpoint.class);
    /** Per endpoint, indexed by status class (2 for 2xx ... 5 for 5xx). */
    private final Map<Endpoint, Timer[]> latencies = new EnumMap<>(Endpoint.class);

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.jsonEvents = events("json");
        this.cloudEvents = events("cloudevents");
        this.duplicates = Counter.builder("quiver.ingest.duplicates")
                .description("Idempotent retries answered with the first attempt's id, writing nothing")
                .register(registry);
        for (ProblemType type : ProblemType.values()) {
            rejects.put(type, Counter.builder("quiver.ingest.rejects")
                    .description("Requests answered with a problem, by reason")
                    .tag("reason", type.slug())
                    .register(registry));
        }
        for (Endpoint endpoint : Endpoint.values()) {
            payloads.put(endpoint, DistributionSummary.builder("quiver.ingest.payload")
                    .description("Request body sizes")
                    .baseUnit("bytes")
                    .tag("endpoint", endpoint.tag())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(64.0)
                    .maximumExpectedValue(8.0 * 1024 * 1024)
                    .register(registry));
            Timer[] byClass = new Timer[6];
            for (int statusClass : new int[]{2, 4, 5}) {
                byClass[statusClass] = Timer.builder("quiver.ingest.request")
                        .description("Ingest request latency, from body received to Redis acknowledgement")
                        .tag("endpoint", endpoint.tag())
                        .tag("status", statusClass + "xx")
                        .publishPercentileHistogram()
                        .register(registry);
            }
            latencies.put(endpoint, byClass);
        }
    }

    private Counter events(String format) {
        return Counter.builder("quiver.ingest.events")
                .description("Events written to Redis (idempotent replays excluded)")
                .tag("format", format)
                .register(registry);
    }

    /** Counts events Redis acknowledged. */
    public void written(boolean cloudEvent, int count, int replayed) {
        (cloudEvent ? cloudEvents : jsonEvents).increment(count - replayed);
        if (replayed > 0) {
            duplicates.increment(replayed);
        }
    }

    public void payload(Endpoint endpoint, int bytes) {
        payloads.get(endpoint).record(bytes);
    }

    public Timer.Sample startRequest() {
        return Timer.start(registry);
    }

    /** Records the latency of one request; {@code status} is the HTTP status it was answered with. */
    public void endRequest(Timer.Sample sample, Endpoint endpoint, int status) {
        int statusClass = status / 100 == 4 ? 4 : status / 100 == 2 ? 2 : 5;
        sample.stop(latencies.get(endpoint)[statusClass]);
    }

    @Override
    public void onProblem(ProblemType type) {
        rejects.get(type).increment();
    }
}
