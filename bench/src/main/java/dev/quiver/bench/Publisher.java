package dev.quiver.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Publishes at a fixed rate, round robin over the topics, each event carrying its per-topic sequence number and its
 * publish time; remembers which sequence numbers were acknowledged (only those count as lost if never delivered).
 */
final class Publisher {

    private final HttpClient client;
    private final Target target;
    private final String base;
    private final String key;
    private final List<String> topics;
    private final List<BitSet> acknowledged = new ArrayList<>();
    private final long[] sequence;

    Publisher(Vertx vertx, Target target, String base, String key, List<String> topics) {
        this.client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(64));
        this.target = target;
        this.base = base;
        this.key = key;
        this.topics = topics;
        this.sequence = new long[topics.size()];
        topics.forEach(t -> acknowledged.add(new BitSet()));
    }

    /** What was acknowledged of topic {@code index} so far. */
    BitSet acknowledged(int index) {
        BitSet acks = acknowledged.get(index);
        synchronized (acks) {
            return (BitSet) acks.clone();
        }
    }

    long acknowledgedCount() {
        long n = 0;
        for (int i = 0; i < topics.size(); i++) {
            n += acknowledged(i).cardinality();
        }
        return n;
    }

    /**
     * Publishes {@code rate} events per second for {@code seconds}; {@code tick} runs before every event (the
     * reconnect scenario kills a server from it). Returns when every publish is answered or 60 s after the last one.
     */
    void publish(int rate, int seconds, Runnable tick) throws InterruptedException {
        long total = (long) rate * seconds;
        CountDownLatch answered = new CountDownLatch(Math.toIntExact(total));
        long start = System.nanoTime();
        for (long n = 0; n < total; n++) {
            long due = start + (long) (n * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            tick.run();
            int t = (int) (n % topics.size());
            long seq = sequence[t]++;
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
            if (key != null) {
                headers.add("Authorization", "Bearer " + key);
            }
            BitSet acks = acknowledged.get(t);
            String body = target.publishBody(seq, Clock.micros());
            client.request(new RequestOptions().setMethod(HttpMethod.POST)
                    .setAbsoluteURI(base + target.publishPath(topics.get(t))).setHeaders(headers))
                    .compose(request -> request.send(Buffer.buffer(body)))
                    .compose(response -> response.body().map(ignored -> response))
                    .onComplete(result -> {
                        if (result.succeeded() && result.result().statusCode() / 100 == 2) {
                            synchronized (acks) {
                                acks.set(Math.toIntExact(seq));
                            }
                        }
                        answered.countDown();
                    });
        }
        answered.await(60, TimeUnit.SECONDS);
    }
}
