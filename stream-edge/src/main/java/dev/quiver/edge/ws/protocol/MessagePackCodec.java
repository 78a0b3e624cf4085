package dev.quiver.edge.ws.protocol;

import jakarta.enterprise.context.ApplicationScoped;

import org.msgpack.jackson.dataformat.MessagePackFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;

import dev.quiver.contract.event.EventJson;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.MessagePackJson;
import dev.quiver.edge.event.PresenceEvent;

/**
 * {@code quiver.v1.msgpack}: MessagePack binary frames with the structure of the JSON ones. A client frame becomes JSON
 * text first ({@link MessagePackJson}, docs/protocol.md "MessagePack") and is then read like a JSON frame.
 */
@ApplicationScoped
public class MessagePackCodec implements WsCodec {

    /** The subprotocol. */
    public static final String SUBPROTOCOL = "quiver.v1.msgpack";

    /** Writes server messages; configured like the application's JSON mapper, with the MessagePack format. */
    private final ObjectMapper msgpack;

    public MessagePackCodec(ObjectMapper json) {
        this.msgpack = json.copyWith(new MessagePackFactory());
    }

    @Override
    public String subprotocol() {
        return SUBPROTOCOL;
    }

    @Override
    public boolean binary() {
        return true;
    }

    @Override
    public JsonNode read(String text) {
        throw new UnsupportedOperationException("binary frames only");
    }

    @Override
    public JsonNode read(Buffer bytes) {
        return EventJson.read(MessagePackJson.toJson(bytes.getBytes()));
    }

    @Override
    public Frame write(ServerMessage message) {
        try {
            return Frame.binary(Buffer.buffer(msgpack.writerFor(ServerMessage.class).writeValueAsBytes(message)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Frame event(EncodedEvent event) {
        return Frame.binary(event.wsBinary());
    }

    @Override
    public Frame presence(PresenceEvent event) {
        return Frame.binary(event.wsBinary());
    }
}
