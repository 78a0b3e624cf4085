package dev.quiver.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Recorder;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * The subscribers of a run: SSE or WebSocket connections to Quiver edges or to Nchan, each checking what it receives
 * against the publisher's sequence numbers. Like real clients they reconnect when a stream ends, to the next server in
 * the list, after a random delay under an exponential backoff, resuming from their last id (SSE {@code Last-Event-ID};
 * Quiver WebSocket {@code since}). Nchan WebSocket frames carry no id, so those reconnect without resuming.
 */
final class Subscribers {

    private static final int FIRST_BACKOFF_MS = 500;
    private static final int MAX_BACKOFF_MS = 10_000;

    private final Vertx vertx;
    private final Target target;
    private final List<String> servers;
    private final List<NetClient> nets = new ArrayList<>();
    private final List<WebSocketClient> sockets = new ArrayList<>();
    private final Recorder latency;
    private final List<Subscriber> all = new ArrayList<>();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger failedConnects = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicLong deliveries = new AtomicLong();
    /** SSE {@code event:} signals received, by name and reason ({@code reconnect/drain}, {@code slow/slow-consumer}). */
    private final Map<String, AtomicInteger> signals = new ConcurrentHashMap<>();
    private volatile long lastLiveNanos;
    private volatile CountDownLatch settled = new CountDownLatch(0);

    Subscribers(Vertx vertx, Target target, List<String> servers, int sources, boolean wsCompression,
            Recorder latency) {
        this.vertx = vertx;
        this.target = target;
        this.servers = servers;
        this.latency = latency;
        for (int s = 0; s < sources; s++) {
            String source = "127.0.0." + (s + 1);
            nets.add(vertx.createNetClient(new NetClientOptions().setLocalAddress(source)));
            sockets.add(vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(source)
                    .setMaxConnections(20_000).setTryUsePerMessageCompression(wsCompression)));
        }
    }

    /**
     * Opens {@code count} subscribers at about {@code perSecond} connections per second, at most {@code maxPending}
     * at a time, and waits until each has its stream or has failed once (failed ones keep retrying in the background).
     */
    void open(int count, List<String> topics, String transport, int perSecond, int maxPending)
            throws InterruptedException {
        settled = new CountDownLatch(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            boolean ws = transport.equals("ws") || (transport.equals("mixed") && i % 2 == 1);
            Subscriber s = new Subscriber(i, topics.get(i % topics.size()), i % topics.size(), ws, i % servers.size(),
                    i % nets.size());
            all.add(s);
            // Never more than maxPending handshakes in flight: past what the servers accept per second, more attempts
            // only time out and come back as retries.
            while (i - (count - (int) settled.getCount()) >= maxPending) {
                Thread.sleep(1);
            }
            connect(s);
            long due = start + (long) ((i + 1) * 1e9 / perSecond);
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                Thread.sleep(wait / 1_000_000);
            }
        }
        settled.await(count / Math.max(1, perSecond) + 240L, TimeUnit.SECONDS);
    }

    List<Subscriber> all() {
        return all;
    }

    /** Subscribers holding a stream right now. */
    int live() {
        return live.get();
    }

    int failedConnects() {
        return failedConnects.get();
    }

    /** Streams that ended while held (the server closed them or died). */
    int dropped() {
        return dropped.get();
    }

    long deliveries() {
        return deliveries.get();
    }

    /** SSE signals so far, for example {@code {slow/slow-consumer=12}}. */
    String signals() {
        return new TreeMap<>(signals).toString();
    }

    /** When the latest subscriber (re)gained its stream. */
    long lastLiveNanos() {
        return lastLiveNanos;
    }

    private void connect(Subscriber s) {
        String server = servers.get(s.server % servers.size());
        if (s.ws) {
            connectWs(s, server);
        } else {
            connectSse(s, server);
        }
    }

    private void connectSse(Subscriber s, String server) {
        URI uri = URI.create(server);
        nets.get(s.source).connect(uri.getPort(), uri.getHost()).onSuccess(socket -> {
            Runnable end = ending(s);
            SseLines lines = new SseLines(new SseLines.Listener() {

                @Override
                public boolean status(int code) {
                    if (code != 200) {
                        socket.close();
                        return false;
                    }
                    becameLive(s);
                    return true;
                }

                /** The name of an {@code event:} signal whose data line comes next. */
                private String signal;

                @Override
                public void data(CharSequence data) {
                    if (signal == null) {
                        record(data, s);
                        return;
                    }
                    // {"reason":"backend-unavailable"}: why a stream was ended, counted by name and reason.
                    String text = data.toString();
                    int at = text.indexOf("\"reason\":\"");
                    String reason = at < 0
                            ? ""
                            : text.substring(at + 10, Math.max(at + 10, text.indexOf('"', at + 10)));
                    signals.computeIfAbsent(signal + "/" + reason, n -> new AtomicInteger()).incrementAndGet();
                    signal = null;
                }

                @Override
                public void id(String id) {
                    s.lastId = id;
                }

                @Override
                public void event(String name) {
                    signal = name;
                }
            });
            socket.handler(lines::accept);
            socket.closeHandler(v -> end.run());
            socket.exceptionHandler(e -> end.run());
            socket.write(SseLines.request(uri.getAuthority(), target.ssePath(s.topic), s.lastId));
        }).onFailure(failure -> failed(s));
    }

    private void connectWs(Subscriber s, String server) {
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setAbsoluteURI(server.replaceFirst("^http", "ws") + target.wsPath(s.topic))
                // Not a browser: no Origin header, which Quiver's edge would check against its allow-list.
                .setAllowOriginHeader(false);
        if (target == Target.QUIVER) {
            options.addSubProtocol("quiver.v1.json");
        }
        sockets.get(s.source).connect(options).onSuccess(socket -> {
            Runnable end = ending(s);
            socket.closeHandler(v -> end.run());
            socket.exceptionHandler(e -> end.run());
            if (target == Target.QUIVER) {
                readQuiverWs(s, socket);
            } else {
                becameLive(s);
                socket.textMessageHandler(text -> record(text, s));
            }
        }).onFailure(failure -> failed(s));
    }

    private void readQuiverWs(Subscriber s, WebSocket socket) {
        socket.textMessageHandler(text -> {
            if (text.startsWith("{\"op\":\"event\"")) {
                record(text, s);
                int at = text.lastIndexOf("\"cursor\":\"");
                if (at > 0) {
                    s.lastId = text.substring(at + 10, text.indexOf('"', at + 10));
                }
            } else if (text.contains("\"op\":\"subscribed\"")) {
                becameLive(s);
            } else if (text.contains("\"op\":\"error\"")) {
                socket.close();
            }
        });
        String since = s.lastId == null ? "" : ",\"since\":\"" + s.lastId + "\"";
        socket.writeTextMessage("{\"op\":\"subscribe\",\"topic\":\"" + s.topic + "\"" + since + ",\"ref\":\"s\"}");
    }

    /** What runs when a connection ends, once whichever of close or error comes first. */
    private Runnable ending(Subscriber s) {
        boolean[] ended = new boolean[1];
        return () -> {
            if (!ended[0]) {
                ended[0] = true;
                if (s.live) {
                    lost(s);
                } else {
                    failed(s);
                }
            }
        };
    }

    private void becameLive(Subscriber s) {
        s.live = true;
        s.backoffMs = FIRST_BACKOFF_MS;
        live.incrementAndGet();
        lastLiveNanos = System.nanoTime();
        if (!s.settled) {
            s.settled = true;
            settled.countDown();
        }
    }

    /** A held stream ended: reconnect at once-ish, as a client would after a pod died or drained. */
    private void lost(Subscriber s) {
        if (s.live) {
            s.live = false;
            live.decrementAndGet();
            dropped.incrementAndGet();
        }
        retry(s);
    }

    private void failed(Subscriber s) {
        failedConnects.incrementAndGet();
        if (!s.settled) {
            s.settled = true;
            settled.countDown();
        }
        retry(s);
    }

    private void retry(Subscriber s) {
        long delay = 1 + ThreadLocalRandom.current().nextLong(s.backoffMs);
        s.backoffMs = Math.min(MAX_BACKOFF_MS, s.backoffMs * 2);
        s.server++;
        vertx.setTimer(delay, id -> connect(s));
    }

    /** An event as received: latency, and the subscriber's loss, duplicate and order accounting. */
    private void record(CharSequence message, Subscriber s) {
        long seq = EventFields.number(message, "seq");
        long sent = EventFields.number(message, "sent");
        if (seq >= 0 && sent > 0) {
            latency.recordValue(Math.max(0, Clock.micros() - sent));
            s.delivery.accept(seq, EventFields.streamId(message));
            deliveries.incrementAndGet();
        }
    }

    /** One subscriber; its fields are touched by one event loop at a time (its connection's, then its timer's). */
    static final class Subscriber {

        final int index;
        final String topic;
        final int topicIndex;
        final boolean ws;
        final int source;
        final Delivery delivery = new Delivery();
        int server;
        String lastId;
        boolean live;
        boolean settled;
        int backoffMs = FIRST_BACKOFF_MS;

        Subscriber(int index, String topic, int topicIndex, boolean ws, int server, int source) {
            this.index = index;
            this.topic = topic;
            this.topicIndex = topicIndex;
            this.ws = ws;
            this.server = server;
            this.source = source;
        }
    }
}
