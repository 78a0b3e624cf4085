package dev.quiver.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An SSE client that behaves like a browser's EventSource behind a round-robin balancer: when its stream ends, for
 * whatever reason, it reconnects to the next pod with the last id it saw as {@code Last-Event-ID}.
 */
final class FailoverSseClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final List<String> data = new CopyOnWriteArrayList<>();
    final List<String> signals = new CopyOnWriteArrayList<>();
    final List<Integer> podsUsed = new CopyOnWriteArrayList<>();
    private final List<Function<String, URI>> pods;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Stream<String> current;
    private String lastEventId;

    /** @param pods per pod, the stream URL for a query string */
    FailoverSseClient(List<Function<String, URI>> pods, String query) {
        this.pods = pods;
        this.thread = new Thread(() -> run(query), "failover-sse");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(String query) {
        int pod = 0;
        while (!closed) {
            podsUsed.add(pod);
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(pods.get(pod).apply(query))
                        .header("Accept", "text/event-stream");
                if (lastEventId != null) {
                    request.header("Last-Event-ID", lastEventId);
                }
                HttpResponse<Stream<String>> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
                current = response.body();
                if (response.statusCode() == 200) {
                    read(response.body());
                } else {
                    response.body().close();
                }
            } catch (IOException | UncheckedIOException dropped) {
                // The pod went away: try the next one, as a balancer would send us there.
            } catch (InterruptedException e) {
                return;
            }
            pod = (pod + 1) % pods.size();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void read(Stream<String> body) {
        try (body) {
            String id = null;
            String event = null;
            String payload = null;
            for (String line : (Iterable<String>) body::iterator) {
                if (line.isEmpty()) {
                    if (payload != null) {
                        if (id != null) {
                            lastEventId = id;
                        }
                        if (event == null) {
                            data.add(payload);
                        } else {
                            signals.add(event);
                        }
                    }
                    event = null;
                    payload = null;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    payload = line.substring(6);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Stream<String> body = current;
        if (body != null) {
            body.close();
        }
        thread.interrupt();
    }
}
