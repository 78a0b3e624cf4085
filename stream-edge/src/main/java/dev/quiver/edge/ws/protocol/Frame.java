package dev.quiver.edge.ws.protocol;

import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * One outgoing WebSocket frame: text or binary, and its size for the connection's output budget.
 *
 * @param text the text frame, or {@code null}
 * @param binary the binary frame, or {@code null}
 */
public record Frame(String text, Buffer binary) {

    public static Frame text(String text) {
        return new Frame(text, null);
    }

    public static Frame binary(Buffer binary) {
        return new Frame(null, binary);
    }

    /** What it costs the output budget: characters of a text frame, bytes of a binary one. */
    public long size() {
        return text != null ? text.length() : binary.length();
    }

    /** Hands the frame to {@code connection}; the Uni completes once it is written. */
    public Uni<Void> sendOn(WebSocketConnection connection) {
        return text != null ? connection.sendText(text) : connection.sendBinary(binary);
    }
}
