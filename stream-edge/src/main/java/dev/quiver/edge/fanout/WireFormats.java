package dev.quiver.edge.fanout;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.quiver.contract.event.EventJson;

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
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            out.packMapHeader(3);
            out.packString("op").packString("event");
            out.packString("event");
            // Read with EventJson so the data's numbers reach MessagePackJson as written, never via double.
            MessagePackJson.pack(EventJson.read(eventJson), out);
            out.packString("cursor").packString(cursor);
            return out.toByteArray();
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
