package dev.quiver.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The load tool of docs/benchmarks.md. Two modes:
 * <ul>
 * <li>{@code fanout} (default): opens SSE and/or WebSocket subscribers against Quiver edges or Nchan, holds them, then
 * publishes at each rate of {@code --rates} in turn and reports, per step, deliveries/s, end-to-end latency, loss,
 * duplicates, order violations, dropped streams and the CPU of the server processes and of the tool itself. A ramp
 * stops at the first step whose p99 exceeds {@code --p99-limit} ms or that loses an event.</li>
 * <li>{@code ingest}: closed-loop POSTs (single events or batches) against event-ingest.</li>
 * <li>{@code presence}: named connections present in their topics, with watchers ({@link PresenceLoad}).</li>
 * </ul>
 * Arguments are {@code --name=value}; see docs/benchmarks.md. Loopback only; every loop is bounded and the tool
 * exits by itself after {@code --max-seconds}.
 */
public final class LoadTool {

    private final Map<String, String> args;
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

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
                Runtime.getRuntime().halt(2);
            } catch (InterruptedException done) {
                // Finished in time.
            }
        }, "bench-guard");
        guard.setDaemon(true);
        guard.start();
        try {
            if (tool.arg("mode", "fanout").equals("ingest")) {
                tool.ingest();
            } else if (tool.arg("mode", "fanout").equals("presence")) {
                new PresenceLoad(tool.vertx, tool.args).run();
            } else {
                tool.fanout();
            }
        } finally {
            System.out.flush();
            // Thousands of open connections take long to close one by one; the process is ending anyway.
            Runtime.getRuntime().halt(0);
        }
    }

    private String arg(String name, String fallback) {
        return args.getOrDefault(name, fallback);
    }

    private int intArg(String name, int fallback) {
        return Integer.parseInt(arg(name, String.valueOf(fallback)));
    }

    private void ingest() throws InterruptedException {
        IngestLoad load = new IngestLoad(vertx, arg("ingest", "http://127.0.0.1:8081"), args.get("key"),
                intArg("topics", 100), intArg("batch", 1), pids(arg("pids", "")));
        System.out.print(load.run(intArg("concurrency", 64), intArg("duration", 10), intArg("rate", 0),
                intArg("warmup", 3)));
    }

    private void fanout() throws Exception {
        Target target = Target.valueOf(arg("target", "quiver").toUpperCase());
        List<String> servers = List.of(arg("edges", "http://127.0.0.1:8082").split(","));
        int count = intArg("subscribers", 100);
        int topicCount = intArg("topics", 1);
        String transport = arg("transport", "sse");
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < topicCount; i++) {
            topics.add("bench." + run + "." + i);
        }
        Map<String, List<Long>> pids = pids(arg("pids", ""));
        pids.put("load-tool", List.of(ProcessHandle.current().pid()));
        Recorder latency = new Recorder(3);
        // Browsers offer permessage-deflate on every WebSocket; the tool does only when asked, to measure what it costs.
        boolean wsCompression = Boolean.parseBoolean(arg("ws-compression", "false"));
        Subscribers subscribers = new Subscribers(vertx, target, servers, intArg("sources", 1), wsCompression,
                latency);

        Map<String, ProcStats> before = stats(pids);
        long connectStart = System.nanoTime();
        subscribers.open(count, topics, transport, intArg("connect-rate", 2000), intArg("max-pending", 500));
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        System.out.printf("%s %s: %d subscribers on %d topics via %d servers; held %d, failed attempts %d, "
                + "in %.1f s (%.0f/s)%n", target.name().toLowerCase(), transport, count, topicCount, servers.size(),
                subscribers.live(), subscribers.failedConnects(), connectSeconds, subscribers.live() / connectSeconds);
        Thread.sleep(TimeUnit.SECONDS.toMillis(intArg("hold", 5)));
        Map<String, ProcStats> held = stats(pids);
        for (String name : pids.keySet()) {
            System.out.printf("  %s memory %.1f MiB (%.1f MiB before connecting)%n", name,
                    held.get(name).pssBytes() / 1048576.0, before.get(name).pssBytes() / 1048576.0);
        }

        Publisher publisher = new Publisher(vertx, target, arg("ingest", "http://127.0.0.1:8081"), args.get("key"),
                topics);
        Killer killer = new Killer(Long.parseLong(arg("kill", "0")), intArg("kill-after", 0));
        double p99Limit = Double.parseDouble(arg("p99-limit", "50"));
        boolean stopOnLoss = Boolean.parseBoolean(arg("stop-on-loss", "true"));
        boolean lossy = false;
        int seconds = intArg("duration", 10);
        double best = 0;
        int bestRate = 0;
        double bestUnderLimit = 0;
        int bestRateUnderLimit = 0;
        String[] rates = arg("rates", arg("rate", "0")).split(",");
        int warmup = intArg("warmup", 10);
        int warmupRate = intArg("warmup-rate", Integer.parseInt(rates[0].trim()));
        if (warmup > 0 && warmupRate > 0) {
            // JIT compilation of every process involved; these events count for loss like any other.
            publisher.publish(warmupRate, warmup, () -> {
            });
            Thread.sleep(1000);
            System.out.printf("warm-up: %d s at %d/s%n", warmup, warmupRate);
        }
        for (String step : rates) {
            int rate = Integer.parseInt(step.trim());
            if (rate <= 0) {
                continue;
            }
            latency.reset();
            long deliveredBefore = subscribers.deliveries();
            long ackedBefore = publisher.acknowledgedCount();
            Map<String, ProcStats> start = stats(pids);
            long t0 = System.nanoTime();
            publisher.publish(rate, seconds, killer);
            double publishSeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(TimeUnit.SECONDS.toMillis(intArg("settle", 3)));
            double stepSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, ProcStats> end = stats(pids);
            Histogram h = latency.getIntervalHistogram();
            Accounting a = Accounting.of(subscribers.all(), publisher);
            long acked = publisher.acknowledgedCount() - ackedBefore;
            long delivered = subscribers.deliveries() - deliveredBefore;
            // A server that answers publishes late stretches the step: rate over the time publishing really took.
            double perSecond = delivered / Math.max(seconds, publishSeconds);
            long expected = acked * count / topicCount;
            StringBuilder cpu = new StringBuilder();
            end.forEach((name, stats) -> cpu.append(String.format(" %s %.0f%%", name,
                    100 * (stats.cpuSeconds() - start.get(name).cpuSeconds()) / stepSeconds)));
            System.out.printf("rate %d/s: acknowledged %d (%.0f/s), deliveries %.0f/s, latency ms p50 %.2f p90 %.2f "
                    + "p99 %.2f max %.2f, missing %d duplicates %d out-of-order %d (subscribers affected %d), "
                    + "streams dropped %d %s, live %d; cpu%s%n", rate, acked, acked / publishSeconds, perSecond,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, a.missing(), a.duplicates(),
                    a.outOfOrder(), a.affected(), subscribers.dropped(), subscribers.signals(), subscribers.live(),
                    cpu);
            double p99 = h.getValueAtPercentile(99) / 1000.0;
            String stop = null;
            if (a.missing() > 0) {
                stop = "events missing";
            } else if (acked < (long) rate * seconds) {
                stop = "publishes not all acknowledged";
            } else if (publishSeconds > 1.1 * seconds) {
                stop = "publishes acknowledged slower than the rate";
            } else if (delivered < 0.95 * expected) {
                // Deliveries of the step still arriving after the settle time: the servers (or the tool) fell behind.
                stop = "deliveries behind the publish rate";
            }
            if (stop != null && !stopOnLoss && stop.equals("events missing")) {
                // A peer that drops events under load is still measured at the next rates; the loss is reported.
                System.out.printf(
                        "lost events at %d/s (cumulative missing %d); ramp continues (--stop-on-loss=false)%n",
                        rate, a.missing());
                stop = null;
                lossy = true;
            }
            if (stop != null) {
                // Late is not lost: let what is still queued arrive before counting what never will.
                long last = -1;
                for (int i = 0; i < 60 && subscribers.deliveries() != last; i++) {
                    last = subscribers.deliveries();
                    Thread.sleep(2000);
                }
                Accounting drained = Accounting.of(subscribers.all(), publisher);
                System.out.printf("ramp stopped at %d/s: %s; once deliveries stopped: missing %d duplicates %d "
                        + "out-of-order %d, streams dropped %d, live %d%n", rate, stop, drained.missing(),
                        drained.duplicates(), drained.outOfOrder(), subscribers.dropped(), subscribers.live());
                break;
            }
            if (lossy) {
                // Measured, but neither sustained nor under the limit: nothing after a lossy step counts either.
                continue;
            }
            best = perSecond;
            bestRate = rate;
            if (p99 <= p99Limit) {
                bestUnderLimit = perSecond;
                bestRateUnderLimit = rate;
            }
        }
        if (bestRate > 0) {
            System.out.printf("highest sustained (no loss, deliveries kept up): %d events/s, %.0f deliveries/s%n",
                    bestRate, best);
            System.out.printf("highest with p99 <= %.0f ms: %d events/s, %.0f deliveries/s%n", p99Limit,
                    bestRateUnderLimit, bestUnderLimit);
        }
        if (killer.killedAt() > 0) {
            long resumed = subscribers.lastLiveNanos() - killer.killedAt();
            System.out.printf("killed pid %d: %d streams dropped (signals before closing: %s); %s%n", killer.pid(),
                    subscribers.dropped(), subscribers.signals(),
                    subscribers.live() == count
                            ? String.format("all %d live again %.2f s after the kill", count,
                                    resumed / 1e9)
                            : "only " + subscribers.live() + " of " + count + " live again");
        }
    }

    /** {@code name=pid[+pid...],...}: a name per process or group of processes (nginx's workers). */
    static Map<String, List<Long>> pids(String spec) {
        Map<String, List<Long>> pids = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                List<Long> group = new ArrayList<>();
                for (String pid : pair.substring(eq + 1).split("\\+")) {
                    group.add(Long.parseLong(pid.trim()));
                }
                pids.put(pair.substring(0, eq), group);
            }
        }
        return pids;
    }

    static Map<String, ProcStats> stats(Map<String, List<Long>> pids) {
        Map<String, ProcStats> stats = new LinkedHashMap<>();
        pids.forEach((name, group) -> stats.put(name, ProcStats.of(group)));
        return stats;
    }

    /** Loss, duplicates and order over every subscriber, against what was acknowledged. */
    private record Accounting(long missing, long duplicates, long outOfOrder, int affected) {

        static Accounting of(List<Subscribers.Subscriber> all, Publisher publisher) {
            Map<Integer, BitSet> acks = new LinkedHashMap<>();
            long missing = 0;
            long duplicates = 0;
            long outOfOrder = 0;
            int affected = 0;
            for (Subscribers.Subscriber s : all) {
                BitSet acknowledged = acks.computeIfAbsent(s.topicIndex, publisher::acknowledged);
                long lost = s.delivery.missing(acknowledged);
                missing += lost;
                duplicates += s.delivery.duplicates();
                outOfOrder += s.delivery.outOfOrder();
                if (lost + s.delivery.duplicates() + s.delivery.outOfOrder() > 0) {
                    affected++;
                }
            }
            return new Accounting(missing, duplicates, outOfOrder, affected);
        }
    }

    /** Kills one server process (SIGKILL) once publishing has run for a while: the reconnect-storm scenario. */
    private static final class Killer implements Runnable {

        private final long pid;
        private final long afterNanos;
        private long started;
        private long killedAt;

        Killer(long pid, int afterSeconds) {
            this.pid = pid;
            this.afterNanos = TimeUnit.SECONDS.toNanos(afterSeconds);
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            if (started == 0) {
                started = now;
            }
            if (pid > 0 && killedAt == 0 && now - started >= afterNanos) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                killedAt = System.nanoTime();
                System.out.printf("killed pid %d after %.1f s of publishing%n", pid, (killedAt - started) / 1e9);
            }
        }

        long pid() {
            return pid;
        }

        long killedAt() {
            return killedAt;
        }
    }
}
