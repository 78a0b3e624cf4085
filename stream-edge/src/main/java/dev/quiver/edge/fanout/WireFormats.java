package dev.quiver.edge.fanout;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.msgpack.jackson.dataformat.MessagePackFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The two WebSocket encodings of one message structure: JSON text and MessagePack binary (docs/protocol.md). */
public final class WireFormats {

    /** Reads and writes JSON. */
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Reads and writes MessagePack with the same tree model. */
    public static final ObjectMapper MSGPACK = new ObjectMapper(new MessagePackFactory());

    private WireFormats() {
    }

    /** The MessagePack form of an event message, from the event's JSON. */
    static byte[] eventMessage(byte[] eventJson, String cursor) {
        try {
            ObjectNode message = JSON.createObjectNode();
            message.put("op", "event");
            message.set("event", JSON.readTree(eventJson));
            message.put("cursor", cursor);
            return MSGPACK.writeValueAsBytes(message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Encodes a message tree in {@code binary} (MessagePack) or JSON form. */
    public static byte[] encode(JsonNode message, boolean binary) {
        try {
            return (binary ? MSGPACK : JSON).writeValueAsBytes(message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
