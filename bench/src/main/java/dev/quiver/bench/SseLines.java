package dev.quiver.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.vertx.core.buffer.Buffer;

/**
 * Reads an HTTP/1.1 SSE response straight off a TCP connection, line by line, without an HTTP client: at 10,000
 * subscribers the load tool's own receive path is what bounds the latency it can see, so it does as little as
 * possible per delivery. Chunked-encoding size lines are just lines that start with neither {@code data:} nor
 * {@code id:} (every server measured writes an event's lines in one chunk).
 */
final class SseLines {

    /** What a subscriber does with the lines that matter. */
    interface Listener {

        /** The response status line arrived; false ends reading. */
        boolean status(int code);

        /** The text after {@code data:}, valid only during the call. */
        void data(CharSequence data);

        void id(String id);

        /** The name after {@code event:} (Quiver's {@code slow}, {@code reconnect}, {@code reset}...). */
        default void event(String name) {
        }
    }

    private final Listener listener;
    private byte[] carry = new byte[0];
    private boolean statusSeen;
    private boolean stopped;

    SseLines(Listener listener) {
        this.listener = listener;
    }

    /** The GET request for {@code path} on {@code host}, resuming after {@code lastEventId} when not null. */
    static Buffer request(String host, String path, String lastEventId) {
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append("\r\nAccept: text/event-stream\r\n");
        if (lastEventId != null) {
            request.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
        }
        return Buffer.buffer(request.append("\r\n").toString(), StandardCharsets.US_ASCII.name());
    }

    void accept(Buffer chunk) {
        if (stopped) {
            return;
        }
        byte[] bytes = chunk.getBytes();
        if (carry.length > 0) {
            byte[] joined = new byte[carry.length + bytes.length];
            System.arraycopy(carry, 0, joined, 0, carry.length);
            System.arraycopy(bytes, 0, joined, carry.length, bytes.length);
            bytes = joined;
        }
        int start = 0;
        for (int i = 0; i < bytes.length && !stopped; i++) {
            if (bytes[i] == '\n') {
                line(bytes, start, i > start && bytes[i - 1] == '\r' ? i - 1 : i);
                start = i + 1;
            }
        }
        carry = start == bytes.length ? new byte[0] : Arrays.copyOfRange(bytes, start, bytes.length);
    }

    private void line(byte[] bytes, int from, int to) {
        if (!statusSeen) {
            statusSeen = true;
            // "HTTP/1.1 200 OK"
            int code = to - from >= 12
                    ? Integer.parseInt(new String(bytes, from + 9, 3, StandardCharsets.US_ASCII))
                    : 0;
            stopped = !listener.status(code);
            return;
        }
        int length = to - from;
        if (length > 5 && bytes[from] == 'd' && bytes[from + 4] == ':') {
            listener.data(new Ascii(bytes, from + 5, to));
        } else if (length > 3 && bytes[from] == 'i' && bytes[from + 1] == 'd' && bytes[from + 2] == ':') {
            listener.id(new String(bytes, from + 3, length - 3, StandardCharsets.US_ASCII).trim());
        } else if (length > 6 && bytes[from] == 'e' && bytes[from + 5] == ':') {
            listener.event(new String(bytes, from + 6, length - 6, StandardCharsets.US_ASCII).trim());
        }
    }

    /** A view of ASCII bytes as characters, without copying. */
    private record Ascii(byte[] bytes, int from, int to) implements CharSequence {

        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[from + index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Ascii(bytes, from + start, from + end);
        }

        @Override
        public String toString() {
            return new String(bytes, from, to - from, StandardCharsets.US_ASCII);
        }
    }
}
