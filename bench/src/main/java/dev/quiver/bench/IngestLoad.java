package dev.quiver.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Ingest load: {@code concurrency} requests in flight for {@code seconds} (closed loop), or {@code rate} requests a
 * second with at most {@code concurrency} in flight (rate-paced, one publisher's view), each either one event
 * ({@code POST /v1/topics/{t}/events}) or a batch of {@code batch} events ({@code POST /v1/events}). Every event has
 * a key, so each write updates the topic's entity state as well as its history, as product events do. The CPU of the
 * given processes is measured over the counted window only (not the warm-up).
 */
final class IngestLoad {

    private final Vertx vertx;
    private final String base;
    private final String key;
    private final int topics;
    private final int batch;
    private final Recorder latency = new Recorder(3);
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong counter = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Map<String, List<Long>> pids;
    private HttpClient client;
    private volatile long deadline;

    IngestLoad(Vertx vertx, String base, String key, int topics, int batch, Map<String, List<Long>> pids) {
        this.vertx = vertx;
        this.base = base;
        this.key = key;
        this.topics = topics;
        this.batch = batch;
        this.pids = pids;
    }

    /**
     * @param rate requests per second, 0 for a closed loop
     * @param warmup seconds of the same load before the counted window: a fresh JVM spends its first tens of seconds
     *        compiling (on the cores the load shares), so a short warm-up measures the JIT, not the service
     */
    String run(int concurrency, int seconds, int rate, int warmup) throws InterruptedException {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(concurrency));
        String run = Long.toString(System.currentTimeMillis(), 36);
        loop(concurrency, warmup, rate, run + "w");
        events.set(0);
        requests.set(0);
        errors.set(0);
        skipped.set(0);
        latency.reset();
        Map<String, ProcStats> before = LoadTool.stats(pids);
        long start = System.nanoTime();
        loop(concurrency, seconds, rate, run);
        double elapsed = (System.nanoTime() - start) / 1e9;
        Map<String, ProcStats> after = LoadTool.stats(pids);
        Histogram h = latency.getIntervalHistogram();
        StringBuilder cpu = new StringBuilder();
        long done = Math.max(1, requests.get());
        after.forEach((name, stats) -> {
            double used = stats.cpuSeconds() - before.get(name).cpuSeconds();
            cpu.append(String.format("; %s %.0f%% of a core, %.0f us per request", name, 100 * used / elapsed,
                    1e6 * used / done));
        });
        return String.format("ingest batch %d %s: %.0f events/s, %.0f requests/s, errors %d, %s"
                + "request latency ms p50 %.2f p99 %.2f max %.2f%s%n", batch,
                rate > 0
                        ? "paced at " + rate + " requests/s (at most " + concurrency + " in flight)"
                        : "concurrency " + concurrency,
                events.get() / elapsed, requests.get() / elapsed, errors.get(),
                skipped.get() > 0 ? "not sent (too many in flight) " + skipped.get() + ", " : "",
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
                cpu);
    }

    private void loop(int concurrency, int seconds, int rate, String run) throws InterruptedException {
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        if (rate > 0) {
            paced(concurrency, rate, run);
            return;
        }
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            send(run, done, true);
        }
        done.await(seconds + 60L, TimeUnit.SECONDS);
    }

    /** Sends on a schedule (1 ms ticks, catching up on late ones), whatever the answers; then waits for the rest. */
    private void paced(int concurrency, int rate, String run) throws InterruptedException {
        long start = System.nanoTime();
        long sent = 0;
        CountDownLatch never = new CountDownLatch(1);
        while (System.nanoTime() < deadline) {
            long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
            for (; sent < due; sent++) {
                if (inFlight.get() >= concurrency) {
                    skipped.incrementAndGet();
                } else {
                    inFlight.incrementAndGet();
                    vertx.runOnContext(ignored -> send(run, never, false));
                }
            }
            Thread.sleep(1);
        }
        long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inFlight.get() > 0 && System.nanoTime() < wait) {
            Thread.sleep(5);
        }
    }

    private void send(String run, CountDownLatch done, boolean closedLoop) {
        if (closedLoop && System.nanoTime() > deadline) {
            done.countDown();
            return;
        }
        long n = counter.getAndAdd(batch);
        String path;
        StringBuilder body = new StringBuilder();
        if (batch == 1) {
            path = "/v1/topics/ingest." + run + "." + (n % topics) + "/events";
            event(body, n, null);
        } else {
            path = "/v1/events";
            body.append('[');
            for (int i = 0; i < batch; i++) {
                if (i > 0) {
                    body.append(',');
                }
                event(body, n + i, "ingest." + run + "." + ((n + i) % topics));
            }
            body.append(']');
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
        if (key != null) {
            headers.add("Authorization", "Bearer " + key);
        }
        long started = System.nanoTime();
        client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(base + path).setHeaders(headers))
                .compose(request -> request.send(Buffer.buffer(body.toString())))
                .compose(response -> response.body().map(ignored -> response))
                .onComplete(result -> {
                    latency.recordValue((System.nanoTime() - started) / 1000);
                    requests.incrementAndGet();
                    if (result.succeeded() && result.result().statusCode() == 202) {
                        events.addAndGet(batch);
                    } else {
                        errors.incrementAndGet();
                    }
                    if (closedLoop) {
                        send(run, done, true);
                    } else {
                        inFlight.decrementAndGet();
                    }
                });
    }

    private static void event(StringBuilder body, long n, String topic) {
        body.append('{');
        if (topic != null) {
            body.append("\"topic\":\"").append(topic).append("\",");
        }
        body.append("\"type\":\"bench\",\"key\":\"k").append(n % 1000).append("\",\"data\":{\"seq\":").append(n)
                .append(",\"sent\":").append(Clock.micros()).append("}}");
    }
}
