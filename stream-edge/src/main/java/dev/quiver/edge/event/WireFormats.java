package dev.quiver.edge.event;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

import dev.quiver.contract.event.EventJson;

/**
 * The WebSocket {@code event} message in MessagePack, packed by hand from the event's JSON (the other server messages
 * are records written by the subprotocol codecs, {@code dev.quiver.edge.ws.protocol}).
 */
public final class WireFormats {

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
}
