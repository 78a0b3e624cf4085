package dev.quiver.bench;

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
 * Closed-loop ingest load: {@code concurrency} requests in flight for {@code seconds}, each either one event
 * ({@code POST /v1/topics/{t}/events}) or a batch of {@code batch} events ({@code POST /v1/events}). Every event has
 * a key, so each write updates the topic's entity state as well as its history, as product events do.
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
    private HttpClient client;
    private volatile long deadline;

    IngestLoad(Vertx vertx, String base, String key, int topics, int batch) {
        this.vertx = vertx;
        this.base = base;
        this.key = key;
        this.topics = topics;
        this.batch = batch;
    }

    String run(int concurrency, int seconds) throws InterruptedException {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(concurrency));
        String run = Long.toString(System.currentTimeMillis(), 36);
        // Warm-up (JIT, connections), not counted.
        loop(concurrency, 3, run + "w");
        events.set(0);
        requests.set(0);
        errors.set(0);
        latency.reset();
        long start = System.nanoTime();
        loop(concurrency, seconds, run);
        double elapsed = (System.nanoTime() - start) / 1e9;
        Histogram h = latency.getIntervalHistogram();
        return String.format("ingest batch %d concurrency %d: %.0f events/s, %.0f requests/s, errors %d, "
                + "request latency ms p50 %.2f p99 %.2f max %.2f%n", batch, concurrency, events.get() / elapsed,
                requests.get() / elapsed, errors.get(), h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private void loop(int concurrency, int seconds, String run) throws InterruptedException {
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            send(run, done);
        }
        done.await(seconds + 60L, TimeUnit.SECONDS);
    }

    private void send(String run, CountDownLatch done) {
        if (System.nanoTime() > deadline) {
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
                    send(run, done);
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
