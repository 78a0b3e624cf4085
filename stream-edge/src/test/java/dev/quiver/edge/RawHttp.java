package dev.quiver.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** A raw HTTP/1.1 GET over a socket: to pick the source address, or to not read the answer at all. */
final class RawHttp implements AutoCloseable {

    final Socket socket;

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    /**
     * Sends {@code GET pathAndQuery} from {@code sourceAddress} (any 127.x.y.z) with the given receive buffer size
     * (0: the system default) and returns without reading.
     */
    static RawHttp get(URI root, String pathAndQuery, String sourceAddress, int receiveBuffer) {
        try {
            Socket socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.bind(new InetSocketAddress(sourceAddress, 0));
            socket.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            socket.setSoTimeout(15000);
            socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new RawHttp(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status line's code. */
    int status() {
        String head = readUntil("\r\n");
        return Integer.parseInt(head.substring(9, 12));
    }

    /** Everything up to and including {@code marker}, or to the end of the stream. */
    String readUntil(String marker) {
        StringBuilder text = new StringBuilder();
        try {
            InputStream in = socket.getInputStream();
            int b;
            while ((b = in.read()) != -1) {
                text.append((char) b);
                if (text.length() >= marker.length() && text.lastIndexOf(marker) == text.length() - marker.length()) {
                    break;
                }
            }
            return text.toString();
        } catch (IOException e) {
            return text.toString();
        }
    }

    /** Exactly {@code count} bytes (fewer only if the stream ends). */
    String read(int count) {
        try {
            return new String(socket.getInputStream().readNBytes(count), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything until the server closes (or the read timeout). */
    String readAll() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(chunk)) != -1) {
                all.write(chunk, 0, n);
            }
        } catch (IOException timeoutOrReset) {
            // Keep what arrived.
        }
        return all.toString(StandardCharsets.ISO_8859_1);
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
