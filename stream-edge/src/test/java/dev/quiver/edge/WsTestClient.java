package dev.quiver.edge;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.msgpack.jackson.dataformat.MessagePackFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/** A Quiver WebSocket client for tests, on Vert.x's WebSocket client: every server message as a JSON tree. */
final class WsTestClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper MSGPACK = new ObjectMapper(new MessagePackFactory());
    private static final Vertx VERTX = Vertx.vertx();
    private static final WebSocketClient CLIENT = VERTX.createWebSocketClient();
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The close frame received: its code (1006 when the connection ended without one) and reason. */
    record Closed(int code, String reason) {
    }

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();
    final List<String> frameKinds = new ArrayList<>();
    /** Every text frame as received, for checks of exact JSON text. */
    final List<String> texts = new CopyOnWriteArrayList<>();
    /** Every binary frame as received, for checks of exact MessagePack values. */
    final List<byte[]> binaries = new CopyOnWriteArrayList<>();
    private final WebSocket connection;
    private final boolean binary;

    WsTestClient(URI root, String subprotocol) {
        this(root, subprotocol, Map.of());
    }

    WsTestClient(URI root, String subprotocol, Map<String, String> headers) {
        this(root, "/v1/ws", subprotocol, headers);
    }

    /** A client of {@code path} (the endpoint with a query, such as {@code /v1/ws?name=alice}). */
    WsTestClient(URI root, String path, String subprotocol, Map<String, String> headers) {
        this.binary = "quiver.v1.msgpack".equals(subprotocol);
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(root.getHost())
                .setPort(root.getPort()).setURI(path);
        if (subprotocol != null) {
            options.addSubProtocol(subprotocol);
        }
        headers.forEach(options::addHeader);
        // Handlers are set on the connection's event loop before it reads anything: callbacks in arrival order.
        this.connection = await(CLIENT.connect(options).map(socket -> {
            socket.textMessageHandler(text -> {
                frameKinds.add("text");
                texts.add(text);
                messages.add(read(JSON, text.getBytes(StandardCharsets.UTF_8)));
            });
            socket.binaryMessageHandler(bytes -> {
                frameKinds.add("binary");
                binaries.add(bytes.getBytes());
                messages.add(read(MSGPACK, bytes.getBytes()));
            });
            socket.closeHandler(v -> closed.complete(new Closed(
                    socket.closeStatusCode() == null ? 1006 : socket.closeStatusCode(), socket.closeReason())));
            return socket;
        }));
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    WsTestClient(URI root) {
        this(root, null);
    }

    private static JsonNode read(ObjectMapper mapper, byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Sends a message as this connection's protocol frames it. */
    void send(String json) {
        if (binary) {
            sendBinary(WsTestClient.encode(MSGPACK, read(JSON, json.getBytes())));
        } else {
            sendText(json);
        }
    }

    void sendText(String text) {
        await(connection.writeTextMessage(text));
    }

    void sendBinary(byte[] bytes) {
        await(connection.writeBinaryMessage(Buffer.buffer(bytes)));
    }

    private static byte[] encode(ObjectMapper mapper, JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    JsonNode next(Duration timeout) {
        try {
            JsonNode message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError("no message within " + timeout);
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message matching {@code wanted}, skipping others. */
    JsonNode next(Predicate<JsonNode> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (wanted.test(message)) {
                return message;
            }
        }
    }

    JsonNode nextOp(String op, Duration timeout) {
        return next(m -> op.equals(m.path("op").asText()), timeout);
    }

    /**
     * The first message of each of {@code ops}, whatever order they come in (a publish's {@code published} reply and
     * the {@code event} it produced are not ordered against each other), skipping other messages.
     */
    Map<String, JsonNode> nextOps(Duration timeout, String... ops) {
        Map<String, JsonNode> found = new HashMap<>();
        Set<String> wanted = Set.of(ops);
        while (found.size() < wanted.size()) {
            JsonNode message = next(m -> wanted.contains(m.path("op").asText())
                    && !found.containsKey(m.path("op").asText()), timeout);
            found.put(message.path("op").asText(), message);
        }
        return found;
    }

    List<JsonNode> events(int count, Duration timeout) {
        List<JsonNode> events = new ArrayList<>();
        while (events.size() < count) {
            events.add(nextOp("event", timeout));
        }
        return events;
    }

    List<JsonNode> drain(Duration quiet) {
        List<JsonNode> rest = new ArrayList<>();
        try {
            JsonNode message;
            while ((message = messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                rest.add(message);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rest;
    }

    Closed awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("not closed within " + timeout, e);
        }
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            await(connection.close());
        }
    }
}
