package dev.quiver.snapshot.metrics;

import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.quiver.contract.problem.ProblemListener;
import dev.quiver.contract.problem.ProblemType;

/** Snapshot API metrics; no label carries a topic. HTTP latency comes from Quarkus's http_server_requests. */
@ApplicationScoped
public class SnapshotMetrics implements ProblemListener {

    private final Counter entities;
    private final Counter notModified;
    private final Counter gone;
    private final Map<ProblemType, Counter> rejects = new EnumMap<>(ProblemType.class);

    public SnapshotMetrics(MeterRegistry registry) {
        entities = Counter.builder("quiver.snapshot.entities").description("Entities served in snapshot pages")
                .register(registry);
        notModified = Counter.builder("quiver.snapshot.not.modified")
                .description("Snapshot requests answered 304 from the ETag alone").register(registry);
        gone = Counter.builder("quiver.snapshot.cursor.gone")
                .description("History requests answered 410: the client must reload").register(registry);
        for (ProblemType type : ProblemType.values()) {
            rejects.put(type, Counter.builder("quiver.snapshot.rejects").description("Requests answered with a problem")
                    .tag("reason", type.slug()).register(registry));
        }
    }

    public void entities(int count) {
        entities.increment(count);
    }

    public void notModified() {
        notModified.increment();
    }

    public void gone() {
        gone.increment();
    }

    @Override
    public void onProblem(ProblemType type) {
        rejects.get(type).increment();
    }
}
