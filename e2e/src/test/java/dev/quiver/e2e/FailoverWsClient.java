package dev.quiver.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WebSocket client (the JDK's) that keeps its subscription across pods: when its connection closes, for whatever
 * reason, it connects to the next pod and subscribes again from the last cursor it saw.
 */
final class FailoverWsClient implements AutoCloseable {

    private static final Pattern CURSOR = Pattern.compile("\"cursor\":\"([^\"]+)\"");
    private static final Pattern OP = Pattern.compile("\"op\":\"([a-z]+)\"");

    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    final List<Integer> podsUsed = new CopyOnWriteArrayList<>();
    private final List<URI> pods;
    private final String topic;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Thread thread;
    private volatile boolean closed;
    private volatile WebSocket current;
    private volatile String cursor;

    FailoverWsClient(List<URI> pods, String topic) {
        this.pods = pods;
        this.topic = topic;
        this.thread = new Thread(this::run, "failover-ws");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        int pod = 0;
        while (!closed) {
            podsUsed.add(pod);
            CompletableFuture<Void> ended = new CompletableFuture<>();
            try {
                current = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2))
                        .buildAsync(pods.get(pod), new Listener(ended)).join();
                String since = cursor == null ? "" : ",\"since\":\"" + cursor + "\"";
                current.sendText("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"s\"" + since + "}", true);
                ended.join();
            } catch (RuntimeException dropped) {
                // Connection refused or reset: the pod is gone; a balancer would send us to another.
            }
            pod = (pod + 1) % pods.size();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private final class Listener implements WebSocket.Listener {

        private final CompletableFuture<Void> ended;
        private final StringBuilder partial = new StringBuilder();

        Listener(CompletableFuture<Void> ended) {
            this.ended = ended;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                Matcher op = OP.matcher(message);
                if (op.find() && "event".equals(op.group(1))) {
                    events.add(message);
                    Matcher at = CURSOR.matcher(message.substring(message.lastIndexOf("\"cursor\"")));
                    if (at.find()) {
                        cursor = at.group(1);
                    }
                } else if (op.find(0) && "subscribed".equals(op.group(1))) {
                    Matcher at = CURSOR.matcher(message);
                    if (cursor == null && at.find()) {
                        cursor = at.group(1);
                    }
                }
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closeCodes.add(statusCode);
            ended.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            ended.complete(null);
        }
    }

    @Override
    public void close() {
        closed = true;
        WebSocket socket = current;
        if (socket != null) {
            socket.abort();
        }
        thread.interrupt();
    }
}
