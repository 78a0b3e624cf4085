package dev.quiver.edge.hub;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;

import dev.quiver.edge.event.EncodedEvent;

/**
 * One span per batch the pod hands to a topic's subscribers, linked to the trace of each event's publish
 * (docs/operations.md, "Tracing"): never a span per delivery, whatever the number of connections. Off, it does nothing
 * at all, not even read the events' trace contexts.
 */
@ApplicationScoped
public class DeliveryTracing {

    static final AttributeKey<String> TOPIC = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<Long> EVENTS = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<Long> SUBSCRIBERS = AttributeKey.longKey("quiver.subscribers");
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");

    private final Tracer tracer;

    @Inject
    public DeliveryTracing(OpenTelemetry openTelemetry,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "true") boolean disabled) {
        this.tracer = disabled ? null : openTelemetry.getTracer("dev.quiver.edge");
    }

    private DeliveryTracing() {
        this.tracer = null;
    }

    /** Tracing that records nothing (tests of the hub alone). */
    public static DeliveryTracing off() {
        return new DeliveryTracing();
    }

    /** Starts the span of a batch of {@code topic} for {@code subscribers} local subscribers; {@code null} when off. */
    Span start(String topic, List<EncodedEvent> events, int subscribers) {
        if (tracer == null) {
            return null;
        }
        SpanBuilder builder = tracer.spanBuilder("deliver " + topic).setSpanKind(SpanKind.CONSUMER).setNoParent()
                .setAttribute(SYSTEM, "quiver").setAttribute(TOPIC, topic)
                .setAttribute(EVENTS, (long) events.size()).setAttribute(SUBSCRIBERS, (long) subscribers);
        for (EncodedEvent event : events) {
            SpanContext publish = parse(event.traceparent());
            if (publish != null) {
                builder.addLink(publish);
            }
        }
        return builder.startSpan();
    }

    /** A stored traceparent as a remote span context; {@code null} when absent or not version 00. */
    static SpanContext parse(String traceparent) {
        if (traceparent == null || traceparent.length() != 55 || !traceparent.startsWith("00-")) {
            return null;
        }
        SpanContext context = SpanContext.createFromRemoteParent(traceparent.substring(3, 35),
                traceparent.substring(36, 52), TraceFlags.fromHex(traceparent, 53), TraceState.getDefault());
        return context.isValid() ? context : null;
    }
}
