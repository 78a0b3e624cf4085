package dev.quiver.ingest.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.smallrye.mutiny.Uni;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventJson;
import dev.quiver.contract.event.EventValidator;
import dev.quiver.contract.event.IdempotencyKeys;
import dev.quiver.contract.event.Topics;
import dev.quiver.contract.event.Traceparent;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.publish.EventPublisher;
import dev.quiver.contract.publish.EventStore;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.IdempotencyConflictException;
import dev.quiver.contract.redis.TopicEvents;
import dev.quiver.contract.redis.TopicOutcome;
import dev.quiver.ingest.config.IngestConfig;
import dev.quiver.ingest.metrics.IngestMetrics;

/**
 * Turns request bodies into validated events and hands them to the {@link EventStore}. Everything is validated
 * before anything is written: a request with one bad event writes nothing.
 */
@ApplicationScoped
public class IngestService {

    /** Plain JSON media type. */
    public static final String JSON = "application/json";

    private final EventStore writer;
    private final EventPublisher publisher;
    private final IngestConfig config;
    private final IngestMetrics metrics;

    public IngestService(EventStore writer, EventPublisher publisher, IngestConfig config, IngestMetrics metrics) {
        this.writer = writer;
        this.publisher = publisher;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * One event to one topic: plain JSON, a structured CloudEvent, or a binary-mode CloudEvent ({@code ce-*}
     * headers).
     *
     * @param header request header lookup, case-insensitive, {@code null} when absent
     */
    public Uni<Accepted> publish(String topic, Function<String, String> header, byte[] body) {
        checkTopic(topic);
        String media = mediaType(header.apply("Content-Type"));
        metrics.payload(IngestMetrics.Endpoint.SINGLE, body.length);
        String idempotency = IdempotencyKeys.header(header.apply("Idempotency-Key"));

        EventDraft draft;
        String key;
        String eventTrace = null;
        boolean cloudEvent = true;
        if (media.equals(CloudEvents.STRUCTURED)) {
            CloudEvents.Parsed parsed = CloudEvents.structured(EventJson.read(body), "");
            checkSameTopic(topic, parsed.topic(), "/" + CloudEvents.TOPIC_EXTENSION);
            draft = CloudEvents.validate(topic, parsed, "");
            key = idempotency != null
                    ? IdempotencyKeys.single(idempotency)
                    : IdempotencyKeys.cloudEvent(parsed.source(), parsed.id());
            eventTrace = parsed.traceparent();
        } else if (header.apply("ce-specversion") != null) {
            if (!CloudEvents.isJson(media)) {
                throw unsupported(media, "binary-mode CloudEvents must carry JSON data");
            }
            CloudEvents.Parsed parsed = CloudEvents.binary(header, body);
            checkSameTopic(topic, parsed.topic(), "header:ce-" + CloudEvents.TOPIC_EXTENSION);
            draft = CloudEvents.validate(topic, parsed, "header:ce-");
            key = idempotency != null
                    ? IdempotencyKeys.single(idempotency)
                    : IdempotencyKeys.cloudEvent(parsed.source(), parsed.id());
            eventTrace = parsed.traceparent();
        } else if (media.equals(JSON)) {
            draft = publisher.validate(topic, EventJson.read(body), "");
            key = idempotency == null ? null : IdempotencyKeys.single(idempotency);
            cloudEvent = false;
        } else if (media.equals(CloudEvents.BATCH)) {
            throw unsupported(media, "post CloudEvents batches to /v1/events");
        } else {
            throw unsupported(media, "use application/json or application/cloudevents+json");
        }

        boolean isCloudEvent = cloudEvent;
        return publisher.publish(draft, key, traceparent(eventTrace, header)).map(stored -> {
            metrics.written(isCloudEvent, 1, stored.replayed() ? 1 : 0);
            return new Accepted(topic, stored.id(), stored.replayed());
        });
    }

    /** Throws the 400 of a malformed topic name in the path. */
    public static void checkTopic(String topic) {
        if (!Topics.isValid(topic)) {
            throw new ProblemException(ProblemType.INVALID_TOPIC,
                    "Topic names match " + Topics.PATTERN).with("field", "path:topic");
        }
    }

    /**
     * Up to {@link IngestConfig#maxBatchEvents()} events, each naming its topic: a JSON array of plain events, or a
     * CloudEvents batch. Events of one topic are written in one atomic step, in request order; topics are written
     * independently of each other.
     *
     * @param authorize told every event's topic, in request order, once all are valid and before anything is written;
     *        throws to refuse the batch
     */
    public Uni<List<Accepted>> publishBatch(Function<String, String> header, byte[] body,
            Consumer<List<String>> authorize) {
        String media = mediaType(header.apply("Content-Type"));
        boolean cloudEvent = media.equals(CloudEvents.BATCH);
        if (!cloudEvent && !media.equals(JSON)) {
            throw unsupported(media, "use application/json or application/cloudevents-batch+json");
        }
        metrics.payload(IngestMetrics.Endpoint.BATCH, body.length);
        String idempotency = IdempotencyKeys.header(header.apply("Idempotency-Key"));

        JsonNode items = EventJson.read(body);
        if (!items.isArray()) {
            throw EventValidator.invalid("A batch is a JSON array of events", "");
        }
        if (items.isEmpty() || items.size() > config.maxBatchEvents()) {
            throw EventValidator.invalid("A batch holds 1 to " + config.maxBatchEvents() + " events, not "
                    + items.size(), "");
        }

        List<AppendRequest> events = new ArrayList<>(items.size());
        String requestTrace = traceparent(null, header);
        for (int i = 0; i < items.size(); i++) {
            try {
                events.add(batchItem(items.get(i), i, cloudEvent, idempotency, requestTrace));
            } catch (ProblemException e) {
                throw e.with("index", i);
            }
        }
        checkDuplicateKeys(events);
        authorize.accept(events.stream().map(event -> event.draft().topic()).toList());
        return write(events).map(accepted -> {
            int replayed = (int) accepted.stream().filter(Accepted::replayed).count();
            metrics.written(cloudEvent, accepted.size(), replayed);
            return accepted;
        });
    }

    private AppendRequest batchItem(JsonNode item, int index, boolean cloudEvent, String idempotency,
            String requestTrace) {
        String pointer = "/" + index;
        if (cloudEvent) {
            CloudEvents.Parsed parsed = CloudEvents.structured(item, pointer);
            String topic = requireTopic(parsed.topic(), pointer + "/" + CloudEvents.TOPIC_EXTENSION);
            EventDraft draft = CloudEvents.validate(topic, parsed, pointer);
            String key = idempotency != null
                    ? IdempotencyKeys.batchItem(idempotency, index)
                    : IdempotencyKeys.cloudEvent(parsed.source(), parsed.id());
            return new AppendRequest(draft, key, parsed.traceparent() != null ? parsed.traceparent() : requestTrace);
        }
        if (item == null || !item.isObject()) {
            throw EventValidator.invalid("Each event must be a JSON object", pointer);
        }
        JsonNode topicNode = item.get("topic");
        String topic = requireTopic(topicNode != null && topicNode.isTextual() ? topicNode.textValue() : null,
                pointer + "/topic");
        EventDraft draft = EventValidator.validate(topic, item, pointer, Set.of("topic"));
        return new AppendRequest(draft, idempotency == null ? null : IdempotencyKeys.batchItem(idempotency, index),
                requestTrace);
    }

    /**
     * The trace context stored with an event (docs/operations.md, "Tracing"): the event's own (a CloudEvent's
     * {@code traceparent} extension), else this request's span when tracing is on, else the request's
     * {@code traceparent} header when it is well formed, else none.
     */
    static String traceparent(String eventTrace, Function<String, String> header) {
        if (eventTrace != null) {
            return eventTrace;
        }
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            return Traceparent.of(span.getTraceId(), span.getSpanId(), span.isSampled());
        }
        return Traceparent.valid(header.apply("traceparent"));
    }

    /**
     * Writes every topic's events atomically per topic, the topics sharing script calls (see
     * {@link EventStore#appendAll}). When some topics fail (a Redis node down, a conflict), the others are still
     * written, and the problem says which: {@code written} and {@code failed} list the topics, so a client knows what
     * its retry (same Idempotency-Key) will recognise.
     */
    private Uni<List<Accepted>> write(List<AppendRequest> events) {
        Map<String, List<Integer>> positions = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            positions.computeIfAbsent(events.get(i).draft().topic(), t -> new ArrayList<>()).add(i);
        }
        List<TopicEvents> topics = new ArrayList<>(positions.size());
        positions.forEach((topic, at) -> topics.add(new TopicEvents(topic, at.stream().map(events::get).toList())));
        return writer.appendAll(topics).map(outcomes -> {
            List<String> written = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            Throwable first = null;
            for (TopicOutcome outcome : outcomes) {
                if (outcome.failure() == null) {
                    written.add(outcome.topic());
                    continue;
                }
                failed.add(outcome.topic());
                if (first == null) {
                    first = outcome.failure() instanceof IdempotencyConflictException conflict
                            ? conflict(positions.get(outcome.topic()).get(conflict.index()))
                            : outcome.failure();
                }
            }
            if (first != null) {
                if (first instanceof ProblemException problem) {
                    throw problem.with("written", written).with("failed", failed);
                }
                throw first instanceof RuntimeException runtime ? runtime : new IllegalStateException(first);
            }
            Accepted[] accepted = new Accepted[events.size()];
            for (TopicOutcome outcome : outcomes) {
                List<Integer> at = positions.get(outcome.topic());
                for (int j = 0; j < at.size(); j++) {
                    accepted[at.get(j)] = new Accepted(outcome.topic(), outcome.result().ids().get(j),
                            outcome.result().replayed().get(j));
                }
            }
            return List.of(accepted);
        });
    }

    /** Two items of one batch with the same key and different content can only be a client bug: refuse them. */
    private static void checkDuplicateKeys(List<AppendRequest> events) {
        Map<String, String> fingerprints = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            AppendRequest event = events.get(i);
            if (event.idempotencyKey() == null) {
                continue;
            }
            String scope = event.draft().topic() + "\n" + event.idempotencyKey();
            String previous = fingerprints.putIfAbsent(scope, event.draft().fingerprint());
            if (previous != null && !previous.equals(event.draft().fingerprint())) {
                throw conflict(i);
            }
        }
    }

    private static ProblemException conflict(int index) {
        return new ProblemException(ProblemType.IDEMPOTENCY_CONFLICT,
                "This idempotency key was already used for a different event within the dedup window; nothing was"
                        + " written for this topic")
                .with("index", index);
    }

    private static String requireTopic(String topic, String field) {
        if (topic == null) {
            throw new ProblemException(ProblemType.INVALID_TOPIC, "Every batch item names its topic").with("field",
                    field);
        }
        if (!Topics.isValid(topic)) {
            throw new ProblemException(ProblemType.INVALID_TOPIC, "Topic names match " + Topics.PATTERN).with("field",
                    field);
        }
        return topic;
    }

    private static void checkSameTopic(String pathTopic, String extension, String field) {
        if (extension != null && !extension.equals(pathTopic)) {
            throw EventValidator.invalid(CloudEvents.TOPIC_EXTENSION + " differs from the topic in the path", field);
        }
    }

    /** The bare media type of a Content-Type header; 415 when absent or not UTF-8. */
    static String mediaType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw unsupported(null, "a Content-Type header is required");
        }
        String[] parts = contentType.split(";");
        String media = parts[0].trim().toLowerCase(Locale.ROOT);
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param.length == 2 && param[0].trim().equalsIgnoreCase("charset")) {
                String charset = param[1].trim().replace("\"", "");
                if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
                    throw unsupported(contentType, "bodies must be UTF-8");
                }
            }
        }
        return media;
    }

    private static ProblemException unsupported(String media, String hint) {
        return new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                (media == null ? "Missing media type" : "Unsupported media type " + media) + ": " + hint);
    }
}
