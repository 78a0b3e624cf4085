package dev.quiver.edge.event;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.vertx.core.buffer.Buffer;

import dev.quiver.contract.cursor.CompositeCursor;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.event.EventCodec;
import dev.quiver.contract.redis.StreamId;

/**
 * One event, encoded ONCE per pod for every wire format, then written as the same bytes to every local subscriber.
 * Immutable; a Vert.x buffer can be written to any number of connections.
 */
public final class EncodedEvent {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    /**
     * This object, its position and id, the arrays' headers and the two buffers' wrappers (a Vert.x buffer around a
     * Netty heap buffer). Measured: 100,000 events of a 91-byte payload took 896 bytes each on a JDK 17 heap, 654 of
     * them the three forms' bytes; rounded up.
     */
    private static final int OVERHEAD = 256;

    private final String topic;
    private final TopicPosition position;
    private final byte[] json;
    private final Buffer sseData;
    private final Buffer sseSingleTopicFrame;

    /** The publish's W3C traceparent, or {@code null}: what a delivery span links to. */
    private final String traceparent;
    /** When the broker stored it (what fan-out lag is measured from). */
    private final long timeMillis;

    private EncodedEvent(String topic, TopicPosition position, byte[] json, String traceparent, long timeMillis) {
        this.topic = topic;
        this.timeMillis = timeMillis;
        this.position = position;
        this.json = json;
        this.traceparent = traceparent;
        this.sseData = Buffer.buffer(DATA.length + json.length + END.length).appendBytes(DATA).appendBytes(json)
                .appendBytes(END);
        // Connections on one topic share even the id line: their cursor is this event's position.
        String id = "id: " + CompositeCursor.single(topic, position) + "\n";
        this.sseSingleTopicFrame = Buffer.buffer(id.length() + sseData.length()).appendString(id).appendBuffer(sseData);
    }

    /** The WebSocket JSON message, built on first use, once. */
    private String wsText;
    /** The WebSocket MessagePack message, built on first use, once. */
    private Buffer wsBinary;

    /** Encodes a stream entry of {@code topic} in history {@code epoch}. */
    public static EncodedEvent of(String topic, String epoch, StreamId id, List<String> fields) {
        return of(topic, epoch, id, id.millis(), fields);
    }

    /** As {@link #of(String, String, StreamId, List)}, for a broker whose ids do not carry the time (JetStream). */
    public static EncodedEvent of(String topic, String epoch, StreamId id, long timeMillis, List<String> fields) {
        String traceparent = null;
        // The writer stores it last, when there is one.
        if (fields.size() >= 2 && "traceparent".equals(fields.get(fields.size() - 2))) {
            traceparent = fields.get(fields.size() - 1);
        }
        return new EncodedEvent(topic, new TopicPosition(epoch, id),
                EventCodec.encode(topic, id, timeMillis, fields), traceparent, timeMillis);
    }

    /** When the broker stored the event, in milliseconds since the epoch. */
    public long timeMillis() {
        return timeMillis;
    }

    /** The publish's W3C traceparent, or {@code null} when it was not traced. */
    public String traceparent() {
        return traceparent;
    }

    public String topic() {
        return topic;
    }

    /** Where a reader stands after this event. */
    public TopicPosition position() {
        return position;
    }

    public StreamId id() {
        return position.id();
    }

    /**
     * About the heap this event takes while held after delivery: its JSON and SSE forms with their objects' headers.
     * The WebSocket forms, built only when a WebSocket subscriber takes the event, are not counted.
     */
    public int heldBytes() {
        return OVERHEAD + json.length + sseData.length() + sseSingleTopicFrame.length();
    }

    /** The event JSON (for long polling and the WebSocket JSON protocol). */
    public byte[] json() {
        return json;
    }

    /** {@code data: <json>\n\n}: the frame body a multi-topic connection writes after its own id line. */
    public Buffer sseData() {
        return sseData;
    }

    /** {@code id: <cursor>\ndata: <json>\n\n}: the whole frame for a connection on this topic alone. */
    public Buffer sseSingleTopicFrame() {
        return sseSingleTopicFrame;
    }

    /** {@code {"op":"event","event":<json>,"cursor":"<epoch>:<id>"}}, the same for every WebSocket JSON subscriber. */
    public synchronized String wsText() {
        if (wsText == null) {
            wsText = "{\"op\":\"event\",\"event\":" + new String(json, StandardCharsets.UTF_8) + ",\"cursor\":\""
                    + topicCursor() + "\"}";
        }
        return wsText;
    }

    /** The same message as {@link #wsText()} in MessagePack, the same bytes for every MessagePack subscriber. */
    public synchronized Buffer wsBinary() {
        if (wsBinary == null) {
            wsBinary = Buffer.buffer(WireFormats.eventMessage(json, topicCursor()));
        }
        return wsBinary;
    }

    /** This event's position as a topic cursor, {@code <epoch>:<id>}. */
    public String topicCursor() {
        return position.epoch() + ":" + position.id();
    }
}
