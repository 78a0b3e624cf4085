package dev.quiver.edge.ws.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * One outgoing WebSocket message: text or binary.
 *
 * @param text the text message, or {@code null}
 * @param binary the binary message, or {@code null}
 */
public record Frame(String text, Buffer binary) {

    public static Frame text(String text) {
        return new Frame(text, null);
    }

    public static Frame binary(Buffer binary) {
        return new Frame(null, binary);
    }

    /** Hands the message to {@code socket}; nothing waits for it to be written: the caller watches the write queue. */
    public void writeTo(ServerWebSocket socket) {
        if (text != null) {
            socket.writeTextMessage(text, null);
        } else {
            socket.writeBinaryMessage(binary, null);
        }
    }
}
