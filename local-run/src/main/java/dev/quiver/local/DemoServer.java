package dev.quiver.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves the demo page and the ports of the stack it talks to. The page loads the client library from an edge pod
 * ({@code /quiver.js}), like any application would, and reaches the services as a browser on another origin (CORS).
 */
final class DemoServer {

    private final HttpServer server;
    private final int port;

    private DemoServer(HttpServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts on {@code host:port}; {@code base} is the stack's base port (ingest). */
    static DemoServer start(String host, int port, int base) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            String config = String.format("{\"ingest\":%d,\"edges\":[%d,%d],\"snapshot\":%d}", base, base + 1,
                    base + 3, base + 2);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/config.json")) {
                    send(exchange, 200, "application/json", config.getBytes(StandardCharsets.UTF_8));
                } else if (path.equals("/") || path.equals("/index.html")) {
                    send(exchange, 200, "text/html; charset=utf-8", resource("demo/index.html"));
                } else {
                    send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
                }
            });
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "quiver-demo");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return new DemoServer(server, port);
        } catch (IOException e) {
            throw new IllegalStateException("the demo page cannot listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    String url() {
        return "http://localhost:" + port + "/";
    }

    /** The origins browsers show the page from, which every service must accept. */
    List<String> origins() {
        return List.of("http://localhost:" + port, "http://127.0.0.1:" + port);
    }

    void stop() {
        server.stop(0);
    }

    private static byte[] resource(String name) {
        try (InputStream in = DemoServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
