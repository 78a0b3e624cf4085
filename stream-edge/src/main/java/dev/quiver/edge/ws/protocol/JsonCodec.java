package dev.quiver.edge.ws.protocol;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;

import dev.quiver.contract.event.EventJson;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.PresenceEvent;

/** {@code quiver.v1.json}: JSON text frames, written by the application's (Quarkus's) ObjectMapper. */
@ApplicationScoped
public class JsonCodec implements WsCodec {

    /** The subprotocol, and the default when a client asks for none. */
    public static final String SUBPROTOCOL = "quiver.v1.json";

    private final ObjectMapper json;

    public JsonCodec(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public String subprotocol() {
        return SUBPROTOCOL;
    }

    @Override
    public boolean binary() {
        return false;
    }

    @Override
    public JsonNode read(String text) {
        return EventJson.read(text);
    }

    @Override
    public JsonNode read(Buffer bytes) {
        throw new UnsupportedOperationException("text frames only");
    }

    @Override
    public Frame write(ServerMessage message) {
        try {
            return Frame.text(json.writerFor(ServerMessage.class).writeValueAsString(message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Frame event(EncodedEvent event) {
        return Frame.text(event.wsText());
    }

    @Override
    public Frame presence(PresenceEvent event) {
        return Frame.text(event.wsText());
    }
}
