package dev.quiver.edge.metrics;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.quiver.contract.problem.ProblemListener;
import dev.quiver.contract.problem.ProblemType;

/** Edge metrics (docs/edge.md). Labels are bounded: transport and reason, never topic or client. */
@ApplicationScoped
public class EdgeMetrics implements ProblemListener {

    /** How a client is connected. */
    public enum Transport {

        SSE,
        POLL,
        WS;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<Transport, AtomicInteger> connections = new EnumMap<>(Transport.class);
    /**
     * Counted per connection per write, the hottest path of the pod: a bare {@link LongAdder} read by a function
     * counter costs a fraction of a registered counter's increment, which goes through the composite registry.
     */
    private final Map<Transport, LongAdder> deliveries = new EnumMap<>(Transport.class);
    private final Map<Transport, Timer> durations = new EnumMap<>(Transport.class);
    private final Map<ProblemType, Counter> rejects = new EnumMap<>(ProblemType.class);
    private final Counter resetsExpired;
    private final Counter resetsUnknown;
    private final Counter slowCloses;
    private final Counter drainCloses;
    private final Counter expiredCloses;
    private final Counter readerReconnects;
    private final Counter eventsRead;
    private final Counter liveGaps;
    private final Counter liveReads;
    private final Counter replayReads;
    private final Counter recentReplays;
    private final DistributionSummary lag;

    public EdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Transport transport : Transport.values()) {
            AtomicInteger open = new AtomicInteger();
            connections.put(transport, open);
            Gauge.builder("quiver.edge.connections", open, AtomicInteger::get)
                    .description("Open client connections").tag("transport", transport.tag()).register(registry);
            LongAdder delivered = new LongAdder();
            deliveries.put(transport, delivered);
            FunctionCounter.builder("quiver.edge.deliveries", delivered, LongAdder::doubleValue)
                    .description("Events written to clients").tag("transport", transport.tag()).register(registry);
            durations.put(transport, Timer.builder("quiver.edge.connection.duration")
                    .description("How long client connections lasted").tag("transport", transport.tag())
                    .publishPercentileHistogram().register(registry));
        }
        for (ProblemType type : ProblemType.values()) {
            rejects.put(type, Counter.builder("quiver.edge.rejects").description("Requests refused, by reason")
                    .tag("reason", type.slug()).register(registry));
        }
        resetsExpired = reset("expired");
        resetsUnknown = reset("unknown");
        slowCloses = Counter.builder("quiver.edge.slow.consumer.closes")
                .description("Connections closed because the client fell too far behind").register(registry);
        drainCloses = Counter.builder("quiver.edge.drain.closes")
                .description("Connections told to reconnect elsewhere during a drain").register(registry);
        expiredCloses = Counter.builder("quiver.edge.token.expired.closes")
                .description("Connections closed because their token expired").register(registry);
        readerReconnects = Counter.builder("quiver.edge.reader.reconnects")
                .description("Reconnection attempts of the live Redis reader").register(registry);
        eventsRead = Counter.builder("quiver.edge.events.read")
                .description("Events the live reader read from Redis (once per pod, whatever the subscriber count)")
                .register(registry);
        liveGaps = Counter.builder("quiver.edge.live.gaps")
                .description(
                        "Gaps in a topic's live channel (dropped messages, reconnects, moved slots) filled from the"
                                + " stream")
                .register(registry);
        liveReads = redisReads("live");
        replayReads = redisReads("replay");
        recentReplays = Counter.builder("quiver.edge.recent.replays")
                .description("Resumes whose missed events the pod held in memory: replayed without a Redis read")
                .register(registry);
        lag = DistributionSummary.builder("quiver.edge.fanout.lag")
                .description("Time from append in Redis to the write to a client socket")
                .baseUnit("seconds").publishPercentileHistogram()
                .minimumExpectedValue(0.0005).maximumExpectedValue(60.0)
                .register(registry);
    }

    private Counter reset(String reason) {
        return Counter.builder("quiver.edge.resets").description("Cursors that could not be honoured")
                .tag("reason", reason).register(registry);
    }

    private Counter redisReads(String kind) {
        return Counter.builder("quiver.edge.redis.reads").description("Redis read commands, by purpose")
                .tag("kind", kind).register(registry);
    }

    public void topicsGauge(Supplier<Number> topics) {
        Gauge.builder("quiver.edge.topics", topics).description("Topics the live reader follows").register(registry);
    }

    /** 1 while the live reader is connected to its broker (or within its grace), else 0: what readiness reports. */
    public void readerGauge(Supplier<Number> connected) {
        Gauge.builder("quiver.edge.reader.connected", connected)
                .description("1 while the live reader is connected to Redis (or lost it less than the grace ago)")
                .register(registry);
    }

    /** The pod's connection limit, so that alerts and dashboards compare open connections against it. */
    public void maxConnectionsGauge(int max) {
        Gauge.builder("quiver.edge.connections.max", () -> max)
                .description("Connections this pod holds before new ones get 503 (quiver.edge.max-connections)")
                .register(registry);
    }

    public void recentBytesGauge(Supplier<Number> bytes) {
        Gauge.builder("quiver.edge.recent.bytes", bytes)
                .description("Memory taken by the events held for resumes, over every followed topic (an estimate)")
                .baseUnit("bytes").register(registry);
    }

    public void opened(Transport transport) {
        connections.get(transport).incrementAndGet();
    }

    public void closed(Transport transport, long openedNanos) {
        connections.get(transport).decrementAndGet();
        durations.get(transport).record(System.nanoTime() - openedNanos, TimeUnit.NANOSECONDS);
    }

    public int open(Transport transport) {
        return connections.get(transport).get();
    }

    /** {@code events} events written to one client. */
    public void delivered(Transport transport, int events) {
        deliveries.get(transport).add(events);
    }

    /**
     * Recorded once per event loop per delivered batch, not per connection: the time from the newest event's append
     * in Redis to the moment its bytes were handed to the sockets of that loop.
     */
    public void lag(long appendMillis) {
        lag.record(Math.max(0, System.currentTimeMillis() - appendMillis) / 1000.0);
    }

    public void reset(boolean expired) {
        (expired ? resetsExpired : resetsUnknown).increment();
    }

    public void expired() {
        expiredCloses.increment();
    }

    public void slowConsumer() {
        slowCloses.increment();
    }

    public void drained() {
        drainCloses.increment();
    }

    public void readerReconnect() {
        readerReconnects.increment();
    }

    public void eventsRead(int count) {
        eventsRead.increment(count);
    }

    public void recentReplay() {
        recentReplays.increment();
    }

    public void liveGap() {
        liveGaps.increment();
    }

    public void redisRead(String kind) {
        ("live".equals(kind) ? liveReads : replayReads).increment();
    }

    @Override
    public void onProblem(ProblemType type) {
        rejects.get(type).increment();
    }
}
