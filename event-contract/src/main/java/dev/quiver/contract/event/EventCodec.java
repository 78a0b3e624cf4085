package dev.quiver.contract.event;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.quiver.contract.redis.StreamId;

/**
 * Encodes a stored stream entry as the event JSON clients receive (docs/events.md). The stored {@code data} is already
 * compact JSON and is copied verbatim, never re-parsed; the other members are escaped by Jackson, so no content can
 * break out of its string (CR and LF included).
 */
public final class EventCodec {

    private static final JsonFactory JSON = new JsonFactory();

    private EventCodec() {
    }

    /**
     * Stored data is compact JSON, but the stream is writable by anyone with Redis access: a CR or LF (legal only as
     * white space between JSON tokens) must never reach a line-based wire format such as SSE. Outside strings they are
     * white space and can go; inside a string they would be invalid JSON, which is refused by replacing the value.
     */
    static String oneLine(String data) {
        if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) {
            return data;
        }
        try {
            return EventJson.compact(EventJson.read(data.getBytes(StandardCharsets.UTF_8)), "/data");
        } catch (RuntimeException notJson) {
            return "null";
        }
    }

    /**
     * The event JSON, one line, UTF-8.
     *
     * @param topic the topic the entry belongs to
     * @param id the entry id
     * @param fields the entry's field/value pairs, flat, as Redis returns them
     */
    public static byte[] encode(String topic, StreamId id, List<String> fields) {
        return encode(topic, id, id.millis(), fields);
    }

    /**
     * As {@link #encode(String, StreamId, List)}, for a broker whose ids do not carry the time (JetStream: docs/nats.md).
     *
     * @param timeMillis when the broker stored the event, in milliseconds since the epoch
     */
    public static byte[] encode(String topic, StreamId id, long timeMillis, List<String> fields) {
        String type = null;
        String key = null;
        String op = null;
        String data = "null";
        String traceparent = null;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String value = fields.get(i + 1);
            switch (fields.get(i)) {
                case "type" -> type = value;
                case "key" -> key = value;
                case "op" -> op = value;
                case "data" -> data = value;
                case "traceparent" -> traceparent = value;
                default -> {
                    // Fields a newer writer added are not part of this contract version.
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(96 + data.length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("topic", topic);
            json.writeStringField("id", id.toString());
            json.writeStringField("type", type == null ? "" : type);
            if (key != null) {
                json.writeStringField("key", key);
                json.writeStringField("op", op == null ? EventOp.UPSERT.wire() : op);
            }
            json.writeFieldName("data");
            json.writeRawValue(oneLine(data));
            json.writeStringField("time", timeMillis == id.millis() ? id.time() : new StreamId(timeMillis, 0).time());
            if (traceparent != null) {
                // Where the publish was traced (docs/operations.md): a subscriber may link its own work to it.
                json.writeStringField("traceparent", traceparent);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
