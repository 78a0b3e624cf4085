package dev.quiver.edge.ws.protocol;

import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.core.buffer.Buffer;

import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.PresenceEvent;

/**
 * One subprotocol's framing: how client frames are read and server messages written. Both read with the one strict
 * reader of event-ingest, so a frame is refused or accepted alike whatever its encoding.
 */
public interface WsCodec {

    /** The subprotocol name a client asks for. */
    String subprotocol();

    /** Whether it speaks binary frames (else text frames). */
    boolean binary();

    /**
     * A client frame as a message tree. Throws {@link dev.quiver.contract.problem.ProblemException} malformed-json.
     */
    JsonNode read(String text);

    /** As {@link #read(String)}, for a binary frame. */
    JsonNode read(Buffer bytes);

    /** A server message, framed. */
    Frame write(ServerMessage message);

    /** An event message: the same frame for every subscriber of this subprotocol on the pod. */
    Frame event(EncodedEvent event);

    /** A join or leave message: the same frame for every subscriber of this subprotocol on the pod. */
    Frame presence(PresenceEvent event);
}
