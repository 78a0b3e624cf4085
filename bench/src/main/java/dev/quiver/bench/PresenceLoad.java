package dev.quiver.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/**
 * Scenario 8, presence (docs/benchmarks.md): named SSE connections that are present in their topic, one watcher per
 * topic with {@code presence=1}, and what presence costs. Two roles, because one process holds at most ~19k sockets
 * here: a {@code holder} opens its share and holds it; the {@code driver} opens its own, then measures the steady state
 * (Redis commands/s, CPU of the given processes), leave latency on a sample it closes, and, with {@code --kill}, a
 * reconnect storm after SIGKILL of one edge.
 * <p>
 * Join latency is from the moment a connection's request is written to the moment its topic's watcher gets the join:
 * what a user in the room sees when someone arrives.
 */
final class PresenceLoad {

    /** One named connection. */
    private final class Member {

        final String name;
        final String topic;
        int edge;
        long sentNanos;
        boolean closing;
        NetSocket socket;

        Member(String name, String topic, int edge) {
            this.name = name;
            this.topic = topic;
            this.edge = edge;
        }
    }

    private final Vertx vertx;
    private final Map<String, String> args;
    private final List<String> edges;
    private final List<NetClient> clients = new ArrayList<>();
    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final Map<String, Long> leftAt = new ConcurrentHashMap<>();
    private final long[] joinLatency;
    /** Joins of this process's members, as its watchers saw them (a reconnect storm may add some). */
    private final AtomicInteger joins = new AtomicInteger();
    private final AtomicInteger otherJoins = new AtomicInteger();
    private final AtomicInteger leaves = new AtomicInteger();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicLong leaveLatencyCount = new AtomicLong();
    private final long[] leaveLatency;

    PresenceLoad(Vertx vertx, Map<String, String> args) {
        this.vertx = vertx;
        this.args = args;
        this.edges = List.of(args.get("edges").split(","));
        int connections = Integer.parseInt(args.getOrDefault("connections", "10000"));
        this.joinLatency = new long[connections];
        this.leaveLatency = new long[Integer.parseInt(args.getOrDefault("leave-sample", "500"))];
        for (int i = 1; i <= 4; i++) {
            clients.add(vertx.createNetClient(new NetClientOptions().setLocalAddress("127.0.0." + i)
                    .setConnectTimeout(10_000)));
        }
    }

    void run() throws InterruptedException, IOException {
        String role = args.getOrDefault("role", "driver");
        String prefix = args.getOrDefault("prefix", role);
        List<String> topics = List.of(args.get("topic-list").split(","));
        int connections = joinLatency.length;
        int hot = Integer.parseInt(args.getOrDefault("hot", "0"));
        int rate = Integer.parseInt(args.getOrDefault("rate", "1000"));
        // Members go to the first `spread` edges; the others stand by for a storm.
        int spread = Integer.parseInt(args.getOrDefault("spread", String.valueOf(edges.size())));

        if (Boolean.parseBoolean(args.getOrDefault("await-joins", "true"))) {
            for (int t = 0; t < topics.size(); t++) {
                watch(topics.get(t), t % edges.size(), "w-" + prefix + "-" + t);
            }
        }
        Thread.sleep(1000);
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            String topic = i < hot
                    ? topics.get(0)
                    : topics.get(hot > 0
                            ? 1 + (i - hot) % (topics.size() - 1)
                            : i % topics.size());
            Member member = new Member("u-" + prefix + "-" + i, topic, i % spread);
            members.put(member.name, member);
            open(member);
            long due = start + (long) ((i + 1) * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                Thread.sleep(wait / 1_000_000);
            }
        }
        // Without presence (the baseline run) no join ever comes: hold the connections for a few seconds instead.
        boolean awaitJoins = Boolean.parseBoolean(args.getOrDefault("await-joins", "true"));
        long deadline = System.nanoTime() + (awaitJoins ? 120_000_000_000L : 5_000_000_000L);
        while ((!awaitJoins || joins.get() < connections) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        System.out.printf("%s: %d connections opened, %d joins seen; join latency ms p50 %.1f p99 %.1f max %.1f%n",
                role, connections, joins.get(), percentile(joinLatency, joins.get(), 50),
                percentile(joinLatency, joins.get(), 99), percentile(joinLatency, joins.get(), 100));
        System.out.println("HELD " + joins.get());
        if (role.equals("holder")) {
            Thread.sleep(Long.parseLong(args.getOrDefault("hold", "120")) * 1000);
            System.out.printf("holder: after holding, joins %d leaves %d reconnects %d%n", joins.get(), leaves.get(),
                    reconnects.get());
            return;
        }
        drive(topics);
    }

    private void drive(List<String> topics) throws InterruptedException, IOException {
        Map<String, List<Long>> pids = LoadTool.pids(args.getOrDefault("pids", ""));
        int redisPort = Integer.parseInt(args.getOrDefault("redis-port", "6399"));
        int steady = Integer.parseInt(args.getOrDefault("steady", "20"));

        long[] before = redisCalls(redisPort);
        Map<String, ProcStats> cpuBefore = LoadTool.stats(pids);
        long t0 = System.nanoTime();
        Thread.sleep(steady * 1000L);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] after = redisCalls(redisPort);
        Map<String, ProcStats> cpuAfter = LoadTool.stats(pids);
        System.out.printf("steady state, %d s: Redis %.1f commands/s (%.1f script calls/s); CPU %s%n", steady,
                (after[0] - before[0]) / seconds, (after[1] - before[1]) / seconds,
                cpu(pids, cpuBefore, cpuAfter, seconds));

        // Leave latency: close a sample of the hot topic's members, each its only connection.
        int sample = leaveLatency.length;
        int closed = 0;
        for (Member member : members.values()) {
            if (closed == sample) {
                break;
            }
            if (member.topic.equals(topics.get(0)) && member.socket != null) {
                member.closing = true;
                leftAt.put(member.name, System.nanoTime());
                member.socket.close();
                closed++;
                Thread.sleep(2);
            }
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (leaveLatencyCount.get() < closed && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int measured = (int) Math.min(leaveLatency.length, leaveLatencyCount.get());
        System.out.printf("leaves: %d closed, %d seen; leave latency ms p50 %.1f p99 %.1f max %.1f%n", closed,
                measured, percentile(leaveLatency, measured, 50), percentile(leaveLatency, measured, 99),
                percentile(leaveLatency, measured, 100));

        String kill = args.get("kill");
        if (kill != null) {
            int stormSeconds = Integer.parseInt(args.getOrDefault("storm", "20"));
            int joinsBefore = joins.get();
            int leavesBefore = leaves.get();
            before = redisCalls(redisPort);
            pids.remove(args.getOrDefault("killed-name", ""));
            cpuBefore = LoadTool.stats(pids);
            t0 = System.nanoTime();
            new ProcessBuilder("kill", "-9", kill).inheritIO().start().waitFor();
            Thread.sleep(stormSeconds * 1000L);
            seconds = (System.nanoTime() - t0) / 1e9;
            after = redisCalls(redisPort);
            cpuAfter = LoadTool.stats(pids);
            System.out.printf("storm, %d s after SIGKILL of one edge: %d reconnects; Redis %.1f commands/s (%.1f script"
                    + " calls/s); CPU %s; watchers saw %d joins and %d leaves%n", stormSeconds, reconnects.get(),
                    (after[0] - before[0]) / seconds, (after[1] - before[1]) / seconds,
                    cpu(pids, cpuBefore, cpuAfter, seconds), joins.get() - joinsBefore,
                    leaves.get() - leavesBefore);
        }
    }

    /** A watcher: an SSE connection with presence=1 that records joins and leaves of its topic. */
    private void watch(String topic, int edge, String name) {
        URI uri = URI.create(edges.get(edge));
        clients.get(0).connect(uri.getPort(), uri.getHost()).onSuccess(socket -> {
            boolean[] join = new boolean[1];
            SseLines lines = new SseLines(new SseLines.Listener() {

                @Override
                public boolean status(int code) {
                    return code == 200;
                }

                @Override
                public void data(CharSequence data) {
                    String text = data.toString();
                    int at = text.indexOf("\"sub\":\"");
                    if (at < 0) {
                        return;
                    }
                    String sub = text.substring(at + 7, text.indexOf('"', at + 7));
                    long now = System.nanoTime();
                    Member member = members.get(sub);
                    if (join[0]) {
                        if (member != null) {
                            // A watcher's own join (and the other watchers') is not a member's.
                            int n = joins.getAndIncrement();
                            if (n < joinLatency.length) {
                                joinLatency[n] = now - member.sentNanos;
                            }
                        } else {
                            otherJoins.incrementAndGet();
                        }
                    } else {
                        leaves.incrementAndGet();
                        Long left = leftAt.remove(sub);
                        if (left != null) {
                            long n = leaveLatencyCount.getAndIncrement();
                            if (n < leaveLatency.length) {
                                leaveLatency[(int) n] = now - left;
                            }
                        }
                    }
                }

                @Override
                public void id(String id) {
                }

                @Override
                public void event(String event) {
                    join[0] = event.equals("join");
                }
            });
            socket.handler(lines::accept);
            socket.closeHandler(v -> vertx.setTimer(200 + ThreadLocalRandom.current().nextInt(300),
                    t -> watch(topic, (edge + 1) % edges.size(), name)));
            socket.write(SseLines.request(uri.getAuthority(), "/v1/stream?topic=" + topic + "&presence=1&name="
                    + name, null));
        }).onFailure(failure -> vertx.setTimer(500, t -> watch(topic, (edge + 1) % edges.size(), name)));
    }

    /** A present connection; reconnects to the next edge if its stream ends (unless the run closed it). */
    private void open(Member member) {
        URI uri = URI.create(edges.get(member.edge));
        NetClient client = clients.get(1 + Math.floorMod(member.name.hashCode(), clients.size() - 1));
        client.connect(uri.getPort(), uri.getHost()).onSuccess(socket -> {
            member.socket = socket;
            socket.handler(chunk -> {
            });
            socket.closeHandler(v -> reconnect(member));
            member.sentNanos = System.nanoTime();
            socket.write(SseLines.request(uri.getAuthority(), "/v1/stream?topic=" + member.topic + "&name="
                    + member.name, null));
        }).onFailure(failure -> reconnect(member));
    }

    private void reconnect(Member member) {
        if (member.closing) {
            return;
        }
        reconnects.incrementAndGet();
        member.edge = (member.edge + 1) % edges.size();
        // A browser's client waits a random part of its first backoff (500 ms) before coming back.
        vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(500), t -> open(member));
    }

    /** CPU of each named process over the window, in % of one core. */
    private static String cpu(Map<String, List<Long>> pids, Map<String, ProcStats> before, Map<String, ProcStats> after,
            double seconds) {
        StringBuilder out = new StringBuilder();
        for (String name : pids.keySet()) {
            out.append(out.length() == 0 ? "" : ", ").append(String.format("%s %.1f %%", name,
                    100 * (after.get(name).cpuSeconds() - before.get(name).cpuSeconds()) / seconds));
        }
        return out.toString();
    }

    private static double percentile(long[] nanos, int count, int p) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, Math.min(count, nanos.length));
        Arrays.sort(sorted);
        int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** Total commands and script calls (EVALSHA + EVAL) Redis ran so far, from INFO commandstats. */
    private static long[] redisCalls(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder header = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                header.append((char) c);
            }
            int length = Integer.parseInt(header.substring(1).trim());
            String body = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
            long total = 0;
            long scripts = 0;
            for (String line : body.split("\r\n")) {
                int at = line.indexOf("calls=");
                if (!line.startsWith("cmdstat_") || at < 0) {
                    continue;
                }
                long calls = Long.parseLong(line.substring(at + 6, line.indexOf(',', at)));
                // The reading tool's own INFO calls are not the system's work.
                if (!line.startsWith("cmdstat_info:")) {
                    total += calls;
                }
                if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                    scripts += calls;
                }
            }
            return new long[]{total, scripts};
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Redis commandstats on port " + port, e);
        }
    }
}
