package dev.quiver.ingest.service;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.quiver.contract.event.EventDraft;
import dev.quiver.contract.event.EventJson;
import dev.quiver.contract.event.EventValidator;
import dev.quiver.contract.event.Traceparent;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * CloudEvents 1.0 (structured, batch and HTTP binary mode) mapped onto Quiver events: {@code type} to type,
 * {@code subject} to key, {@code data} to data, and the extensions {@code quiverop} (upsert or delete) and
 * {@code quivertopic}. {@code source} plus {@code id} identify the event, so they deduplicate retries.
 */
public final class CloudEvents {

    /** Structured mode media type. */
    public static final String STRUCTURED = "application/cloudevents+json";
    /** Batch mode media type. */
    public static final String BATCH = "application/cloudevents-batch+json";
    /** Extension attribute that names the topic (required in a batch). */
    public static final String TOPIC_EXTENSION = "quivertopic";
    /** Extension attribute that carries the operation. */
    public static final String OP_EXTENSION = "quiverop";

    /**
     * A CloudEvent as Quiver reads it.
     *
     * @param topic the {@code quivertopic} extension, or {@code null}
     * @param traceparent the {@code traceparent} extension (Distributed Tracing), when well formed, or {@code null}
     * @param source the {@code source} attribute
     * @param id the {@code id} attribute
     * @param event the equivalent plain Quiver event object, for {@link EventValidator}
     */
    public record Parsed(String topic, String source, String id, ObjectNode event, String traceparent) {
    }

    private CloudEvents() {
    }

    /** Reads a structured-mode event (a JSON object) found at {@code pointer} of the request. */
    public static Parsed structured(JsonNode ce, String pointer) {
        if (ce == null || !ce.isObject()) {
            throw EventValidator.invalid("A CloudEvent must be a JSON object", pointer);
        }
        Function<String, String> attribute = name -> {
            JsonNode value = ce.get(name);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isTextual()) {
                throw EventValidator.invalid(name + " must be a string", pointer + "/" + name);
            }
            return value.textValue();
        };
        if (ce.has("data_base64")) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "data_base64 is not supported: Quiver events carry JSON data")
                    .with("field", pointer + "/data_base64");
        }
        checkContentType(attribute.apply("datacontenttype"), pointer + "/datacontenttype");
        JsonNode data = ce.get("data");
        return parsed(attribute, data == null ? NullNode.getInstance() : data, pointer);
    }

    /**
     * Reads a binary-mode event: attributes from {@code ce-*} headers, data from the body.
     *
     * @param header looks a request header up by name, {@code null} when absent
     * @param body the raw body; empty means {@code null} data
     */
    public static Parsed binary(Function<String, String> header, byte[] body) {
        Function<String, String> attribute = name -> {
            String value = header.apply("ce-" + name);
            return value == null ? null : percentDecode(value, name);
        };
        JsonNode data = body.length == 0 ? NullNode.getInstance() : EventJson.read(body);
        return parsed(attribute, data, "header:ce-");
    }

    private static Parsed parsed(Function<String, String> attribute, JsonNode data, String pointer) {
        String separator = pointer.startsWith("header:") ? "" : "/";
        String specversion = attribute.apply("specversion");
        if (!"1.0".equals(specversion)) {
            throw EventValidator.invalid("specversion must be \"1.0\"", pointer + separator + "specversion");
        }
        String id = required(attribute, "id", pointer + separator);
        String source = required(attribute, "source", pointer + separator);
        String type = required(attribute, "type", pointer + separator);

        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("type", type);
        String subject = attribute.apply("subject");
        if (subject != null) {
            event.put("key", subject);
        }
        String op = attribute.apply(OP_EXTENSION);
        if (op != null) {
            event.put("op", op);
        }
        event.set("data", data);
        // The Distributed Tracing extension: the event's own trace context, kept when it is well formed.
        return new Parsed(attribute.apply(TOPIC_EXTENSION), source, id, event,
                Traceparent.valid(attribute.apply("traceparent")));
    }

    /** Maps a validated event's problems back onto CloudEvents attribute names. */
    public static EventDraft validate(String topic, Parsed parsed, String pointer) {
        try {
            return EventValidator.validate(topic, parsed.event(), "", Set.of());
        } catch (ProblemException e) {
            Object field = e.extensions().get("field");
            String attribute = switch (String.valueOf(field)) {
                case "/key" -> "subject";
                case "/op" -> OP_EXTENSION;
                default -> String.valueOf(field).substring(1);
            };
            String separator = pointer.startsWith("header:") ? "" : "/";
            throw new ProblemException(e.type(), e.getMessage().replaceFirst("^key ", "subject ")
                    .replaceFirst("^op ", OP_EXTENSION + " ")).with("field", pointer + separator + attribute);
        }
    }

    /** Whether a media type (without parameters) is a JSON type. */
    public static boolean isJson(String mediaType) {
        String type = mediaType.toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.equals("text/json") || type.endsWith("+json");
    }

    private static void checkContentType(String datacontenttype, String field) {
        if (datacontenttype == null) {
            return;
        }
        String bare = datacontenttype.split(";", 2)[0].trim();
        if (!isJson(bare)) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "datacontenttype must be a JSON media type: Quiver events carry JSON data").with("field", field);
        }
    }

    private static String required(Function<String, String> attribute, String name, String prefix) {
        String value = attribute.apply(name);
        if (value == null || value.isEmpty()) {
            throw EventValidator.invalid(name + " is required and must not be empty", prefix + name);
        }
        return value;
    }

    /** CloudEvents HTTP binding: header values percent-encode what is not printable ASCII, as UTF-8. */
    static String percentDecode(String value, String name) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()) {
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw EventValidator.invalid("ce-" + name + " has a malformed percent-encoding",
                            "header:ce-" + name);
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '%') {
                throw EventValidator.invalid("ce-" + name + " has a malformed percent-encoding", "header:ce-" + name);
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        String decoded = new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        if (decoded.indexOf('\uFFFD') >= 0 && value.indexOf('\uFFFD') < 0) {
            throw EventValidator.invalid("ce-" + name + " is not valid percent-encoded UTF-8", "header:ce-" + name);
        }
        return decoded;
    }
}
