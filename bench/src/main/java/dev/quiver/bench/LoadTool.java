package dev.quiver.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Opens SSE subscribers against edge pods, publishes through event-ingest at a fixed rate, and reports what arrived:
 * connections held, end-to-end latency (publish call to SSE delivery, wall clock of this one machine), loss,
 * duplicates and order violations per subscriber, and the RSS and CPU of the server processes named with
 * {@code --pids}. Bounded: it stops by itself after {@code --max-seconds}.
 * <p>
 * Arguments ({@code --name=value}): ingest, edges (comma separated), subscribers, topics, rate (events/s, all topics
 * together), duration (s), transport ({@code sse}, {@code ws} or {@code mixed}), connect-rate (connections/s), sources (how many 127.0.0.x source addresses), pids
 * ({@code name=pid,...}), key (publisher key), max-seconds.
 */
public final class LoadTool {

    private final Map<String, String> args;
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final Recorder latency = new Recorder(3);
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failedConnects = new AtomicInteger();
    private final AtomicLong deliveries = new AtomicLong();

    private LoadTool(Map<String, String> args) {
        this.args = args;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("arguments are --name=value: " + arg);
            }
            args.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        LoadTool tool = new LoadTool(args);
        long cap = Long.parseLong(args.getOrDefault("max-seconds", "600"));
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(cap));
                System.err.println("max-seconds reached: stopping");
                System.exit(2);
            } catch (InterruptedException done) {
                // Finished in time.
            }
        }, "bench-guard");
        guard.setDaemon(true);
        guard.start();
        try {
            tool.run();
        } finally {
            tool.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private String arg(String name, String fallback) {
        return args.getOrDefault(name, fallback);
    }

    private int intArg(String name, int fallback) {
        return Integer.parseInt(arg(name, String.valueOf(fallback)));
    }

    private void run() throws Exception {
        List<String> edges = List.of(arg("edges", "http://127.0.0.1:8082").split(","));
        int subscribers = intArg("subscribers", 100);
        int topicCount = intArg("topics", 1);
        int rate = intArg("rate", 100);
        int duration = intArg("duration", 10);
        int connectRate = intArg("connect-rate", 2000);
        int sources = intArg("sources", 1);
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < topicCount; i++) {
            topics.add("bench." + run + "." + i);
        }
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String pair : arg("pids", "").split(",")) {
            if (pair.contains("=")) {
                pids.put(pair.substring(0, pair.indexOf('=')), Long.parseLong(pair.substring(pair.indexOf('=') + 1)));
            }
        }
        Map<String, ProcStats> before = stats(pids);

        String transport = arg("transport", "sse");
        List<HttpClient> clients = new ArrayList<>();
        List<WebSocketClient> sockets = new ArrayList<>();
        for (int s = 0; s < sources; s++) {
            String source = "127.0.0." + (s + 1);
            clients.add(vertx.createHttpClient(new HttpClientOptions().setLocalAddress(source).setKeepAlive(false),
                    new PoolOptions().setHttp1MaxSize(20_000)));
            sockets.add(vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(source)
                    .setMaxConnections(20_000)));
        }
        List<Delivery> received = new ArrayList<>();
        List<Integer> topicOf = new ArrayList<>();
        long connectStart = System.nanoTime();
        CountDownLatch settled = new CountDownLatch(subscribers);
        for (int i = 0; i < subscribers; i++) {
            Delivery delivery = new Delivery();
            received.add(delivery);
            topicOf.add(i % topicCount);
            boolean ws = transport.equals("ws") || (transport.equals("mixed") && i % 2 == 1);
            if (ws) {
                subscribeWs(sockets.get(i % sources), edges.get(i % edges.size()), topics.get(i % topicCount),
                        delivery, settled);
            } else {
                subscribe(clients.get(i % sources), edges.get(i % edges.size()), topics.get(i % topicCount),
                        delivery, settled);
            }
            if ((i + 1) % Math.max(1, connectRate / 100) == 0) {
                Thread.sleep(10);
            }
        }
        settled.await(120, TimeUnit.SECONDS);
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        Map<String, ProcStats> held = stats(pids);

        List<BitSet> acknowledged = new ArrayList<>();
        topics.forEach(t -> acknowledged.add(new BitSet()));
        latency.reset();
        long publishStart = System.nanoTime();
        long published = publish(topics, acknowledged, rate, duration);
        double publishSeconds = (System.nanoTime() - publishStart) / 1e9;
        Thread.sleep(3000);
        Map<String, ProcStats> after = stats(pids);

        long missing = 0;
        long duplicates = 0;
        long disordered = 0;
        int hurt = 0;
        for (int i = 0; i < received.size(); i++) {
            Delivery d = received.get(i);
            long lost = d.missing(acknowledged.get(topicOf.get(i)));
            missing += lost;
            duplicates += d.duplicates();
            disordered += d.outOfOrder();
            if (lost + d.duplicates() + d.outOfOrder() > 0) {
                hurt++;
            }
        }
        long acked = acknowledged.stream().mapToLong(BitSet::cardinality).sum();
        Histogram h = latency.getIntervalHistogram();
        StringBuilder out = new StringBuilder();
        out.append(String.format("subscribers %d connected %d failed %d in %.1f s (%.0f/s)%n", subscribers,
                connected.get(), failedConnects.get(), connectSeconds, connected.get() / connectSeconds));
        out.append(String.format("published %d acknowledged %d in %.1f s (%.0f/s)%n", published, acked,
                publishSeconds, acked / publishSeconds));
        out.append(String.format("deliveries %d (%.0f/s)%n", deliveries.get(), deliveries.get() / publishSeconds));
        out.append(String.format("latency ms p50 %.2f p90 %.2f p99 %.2f max %.2f (n=%d)%n",
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount()));
        out.append(String.format("missing %d duplicates %d out-of-order %d (subscribers affected %d)%n", missing,
                duplicates, disordered, hurt));
        for (String name : pids.keySet()) {
            ProcStats b = before.get(name);
            ProcStats c = held.get(name);
            ProcStats a = after.get(name);
            out.append(String.format("%s rss %.1f MiB (idle %.1f MiB before connecting) cpu %.1f%% while publishing%n",
                    name, a.rssBytes() / 1048576.0, b.rssBytes() / 1048576.0,
                    100 * (a.cpuSeconds() - c.cpuSeconds()) / (publishSeconds + 3)));
        }
        System.out.print(out);
    }

    private Map<String, ProcStats> stats(Map<String, Long> pids) {
        Map<String, ProcStats> stats = new LinkedHashMap<>();
        pids.forEach((name, pid) -> stats.put(name, ProcStats.of(pid)));
        return stats;
    }

    /** One SSE subscriber; counts down {@code settled} once its first bytes (the retry hint) arrive or it fails. */
    private void subscribe(HttpClient client, String edge, String topic, Delivery delivery, CountDownLatch settled) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(edge
                + "/v1/stream?topic=" + topic).putHeader("Accept", "text/event-stream");
        Once settle = new Once(settled);
        client.request(options).compose(request -> request.send()).onSuccess(response -> {
            if (response.statusCode() != 200) {
                failedConnects.incrementAndGet();
                settle.run();
                return;
            }
            StringBuilder pending = new StringBuilder();
            response.handler(chunk -> {
                if (settle.run()) {
                    connected.incrementAndGet();
                }
                pending.append(chunk.toString());
                int newline;
                while ((newline = pending.indexOf("\n")) >= 0) {
                    if (pending.length() > 6 && pending.charAt(0) == 'd' && pending.indexOf("data:") == 0) {
                        record(pending.subSequence(0, newline), delivery);
                    }
                    pending.delete(0, newline + 1);
                }
            });
        }).onFailure(failure -> {
            failedConnects.incrementAndGet();
            settle.run();
        });
    }

    /** An event as received: latency, and the subscriber's loss, duplicate and order accounting. */
    private void record(CharSequence message, Delivery delivery) {
        long seq = EventFields.number(message, "seq");
        long sent = EventFields.number(message, "sent");
        if (seq >= 0 && sent > 0) {
            latency.recordValue(Math.max(0, nowMicros() - sent));
            delivery.accept(seq, EventFields.streamId(message));
            deliveries.incrementAndGet();
        }
    }

    /** Counts a subscriber down once, whichever of success or failure comes first; handlers run on its event loop. */
    private static final class Once {

        private final CountDownLatch latch;
        private boolean done;

        Once(CountDownLatch latch) {
            this.latch = latch;
        }

        /** True the first time. */
        boolean run() {
            if (done) {
                return false;
            }
            done = true;
            latch.countDown();
            return true;
        }
    }

    /** One WebSocket subscriber (JSON frames); counts down {@code settled} at its {@code subscribed} reply. */
    private void subscribeWs(WebSocketClient client, String edge, String topic, Delivery delivery,
            CountDownLatch settled) {
        Once settle = new Once(settled);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setAbsoluteURI(edge.replaceFirst("^http", "ws") + "/v1/ws").addSubProtocol("quiver.v1.json")
                // Not a browser: no Origin header, which the edge would check against its allow-list.
                .setAllowOriginHeader(false);
        client.connect(options).onSuccess(socket -> {
            socket.textMessageHandler(text -> {
                if (text.startsWith("{\"op\":\"event\"")) {
                    record(text, delivery);
                } else if (text.contains("\"op\":\"subscribed\"") && settle.run()) {
                    connected.incrementAndGet();
                } else if (text.contains("\"op\":\"error\"")) {
                    failedConnects.incrementAndGet();
                    settle.run();
                }
            });
            socket.closeHandler(v -> settle.run());
            socket.writeTextMessage("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"s\"}");
        }).onFailure(failure -> {
            if (failedConnects.incrementAndGet() == 1) {
                System.err.println("first failed WebSocket connect: " + failure);
            }
            settle.run();
        });
    }

    /** Publishes {@code rate} events per second for {@code duration} seconds, round robin over the topics. */
    private long publish(List<String> topics, List<BitSet> acknowledged, int rate, int duration) throws Exception {
        HttpClient ingest = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(64));
        String base = arg("ingest", "http://127.0.0.1:8081");
        String key = args.get("key");
        long total = (long) rate * duration;
        long[] sequence = new long[topics.size()];
        CountDownLatch answered = new CountDownLatch(Math.toIntExact(total));
        long start = System.nanoTime();
        for (long n = 0; n < total; n++) {
            long due = start + (long) (n * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int t = (int) (n % topics.size());
            long seq = sequence[t]++;
            String body = "{\"type\":\"bench\",\"data\":{\"seq\":" + seq + ",\"sent\":" + nowMicros() + "}}";
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
            if (key != null) {
                headers.add("Authorization", "Bearer " + key);
            }
            BitSet acks = acknowledged.get(t);
            ingest.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(base + "/v1/topics/"
                    + topics.get(t) + "/events").setHeaders(headers))
                    .compose(request -> request.send(Buffer.buffer(body)))
                    .onComplete(result -> {
                        if (result.succeeded() && result.result().statusCode() == 202) {
                            synchronized (acks) {
                                acks.set(Math.toIntExact(seq));
                            }
                        }
                        answered.countDown();
                    });
        }
        answered.await(60, TimeUnit.SECONDS);
        return total;
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }
}
