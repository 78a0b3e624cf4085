package dev.quiver.edge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A minimal SSE client for tests: parses frames per the HTML spec's line rules and keeps every raw line. */
final class SseClient implements AutoCloseable {

    /** One dispatched frame. {@code event} is null for plain messages; {@code at} is its arrival (nanoTime). */
    record Frame(String id, String event, String data, long at) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final HttpResponse<Stream<String>> response;
    private volatile boolean ended;
    private final Thread reader;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    static SseClient open(URI uri, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (!headers.containsKey("Accept")) {
            request.header("Accept", "text/event-stream");
        }
        headers.forEach(request::header);
        try {
            return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static SseClient open(URI uri) {
        return open(uri, Map.of());
    }

    int status() {
        return response.statusCode();
    }

    HttpHeaders headers() {
        return response.headers();
    }

    boolean ended() {
        return ended;
    }

    private void read() {
        String id = null;
        String event = null;
        StringBuilder data = null;
        try (Stream<String> body = response.body()) {
            for (String line : (Iterable<String>) body::iterator) {
                lines.add(line);
                if (line.isEmpty()) {
                    if (data != null) {
                        frames.add(new Frame(id, event, data.toString(), System.nanoTime()));
                    }
                    event = null;
                    data = null;
                } else if (line.startsWith("data:")) {
                    String value = line.substring(5).stripLeading();
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).stripLeading();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).stripLeading();
                }
            }
        } catch (RuntimeException closed) {
            // The stream was closed by either side.
        } finally {
            ended = true;
        }
    }

    Frame next(Duration timeout) {
        try {
            Frame frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no SSE frame within " + timeout + "; lines so far: " + lines);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    List<Frame> take(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Frame> taken = new ArrayList<>(count);
        while (taken.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("got " + taken.size() + " of " + count + " frames");
            }
            taken.add(next(Duration.ofNanos(left)));
        }
        return taken;
    }

    /** Frames that arrive within {@code quiet}, stopping at the first silence. */
    List<Frame> drain(Duration quiet) {
        List<Frame> rest = new ArrayList<>();
        try {
            Frame frame;
            while ((frame = frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                rest.add(frame);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rest;
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (RuntimeException ignored) {
            // Already closed.
        }
        reader.interrupt();
    }
}
