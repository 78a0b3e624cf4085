package dev.quiver.edge;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare WebSocket client over a socket, for what a well-behaved client library will not do: never answer pings,
 * stop reading. Frames are read one at a time; pings are NOT answered.
 */
final class RawWs implements AutoCloseable {

    /** One frame: opcode and payload. */
    record Frame(int opcode, byte[] payload) {

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String handshake;

    RawWs(URI root, int receiveBuffer) {
        this(root, receiveBuffer, "");
    }

    /** {@code extraHeaders}: more request header lines, each ending in CRLF. */
    RawWs(URI root, int receiveBuffer, String extraHeaders) {
        try {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            socket.setSoTimeout(20000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            out.write(("GET /v1/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            if (!head.toString().startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("handshake failed: " + head);
            }
            handshake = head.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's handshake response: status line and headers. */
    String handshake() {
        return handshake;
    }

    void sendText(String text) {
        sendFrame(0x1, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one masked frame: {@code opcode} (0 for a continuation), with or without FIN. */
    void sendFrame(int opcode, boolean fin, byte[] payload) {
        try {
            out.write(frameHeader(opcode, fin, payload.length));
            out.write(masked(payload));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a frame's header, then its payload in {@code chunks} pieces with {@code pauseMillis} between them. */
    void sendFrameSlowly(int opcode, byte[] payload, int chunks, long pauseMillis) {
        try {
            out.write(frameHeader(opcode, true, payload.length));
            out.flush();
            byte[] masked = masked(payload);
            int step = (masked.length + chunks - 1) / chunks;
            for (int at = 0; at < masked.length; at += step) {
                Thread.sleep(pauseMillis);
                out.write(masked, at, Math.min(step, masked.length - at));
                out.flush();
            }
        } catch (IOException e) {
            // The server may close while we still send: what it answered before is what the test reads.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private byte[] mask = new byte[4];

    private byte[] frameHeader(int opcode, boolean fin, int length) {
        ThreadLocalRandom.current().nextBytes(mask);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            frame.write(0x80 | length);
        } else if (length <= 0xffff) {
            frame.write(0x80 | 126);
            frame.write(length >> 8);
            frame.write(length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) length >> shift) & 0xff);
            }
        }
        frame.writeBytes(mask);
        return frame.toByteArray();
    }

    private byte[] masked(byte[] payload) {
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return masked;
    }

    /** The next frame, or {@code null} when the connection ended or stayed silent past the read timeout. */
    Frame next() {
        try {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(first & 0x0f, payload);
        } catch (IOException endedOrSilent) {
            return null;
        }
    }

    /**
     * The next data or close frame: the server's pings (every heartbeat, 1 s in tests) and pongs can come at any moment,
     * before an answer too, and are skipped. {@code null} as for {@link #next()}.
     */
    Frame nextMessage() {
        Frame frame;
        while ((frame = next()) != null && (frame.opcode() == 0x9 || frame.opcode() == 0xA)) {
            // A heartbeat, not the message awaited.
        }
        return frame;
    }

    /** Reads until a close frame and returns its code, or -1 if the connection ended without one. */
    int awaitCloseCode() {
        Frame frame;
        while ((frame = next()) != null) {
            if (frame.opcode() == 0x8) {
                return frame.closeCode();
            }
        }
        return -1;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Gone anyway.
        }
    }
}
