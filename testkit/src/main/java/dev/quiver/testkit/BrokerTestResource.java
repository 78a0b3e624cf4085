package dev.quiver.testkit;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource for the behaviour suites that hold for every broker: one real Redis or one real JetStream
 * server, whichever the system property {@value #PROPERTY} names ({@code redis}, the default, or {@code nats}), wired
 * in through {@code quarkus.redis.hosts} or {@code quiver.broker=nats} and {@code quiver.nats.url}. The build runs such
 * suites once per broker (the services' surefire executions), so the same test classes prove both.
 * <p>
 * Fields annotated {@link InjectBroker} receive the server ({@link ServerProcess}), {@link InjectRedisServer} the
 * {@link RedisServer} and {@link InjectNatsServer} the {@link NatsServer} when that one runs.
 */
public class BrokerTestResource implements QuarkusTestResourceLifecycleManager {

    /** The system property that picks the broker of a test run. */
    public static final String PROPERTY = "quiver.test.broker";

    private RedisServer redis;
    private NatsServer nats;

    /** Whether this test run is on NATS. */
    public static boolean nats() {
        return "nats".equalsIgnoreCase(System.getProperty(PROPERTY, "redis"));
    }

    @Override
    public Map<String, String> start() {
        if (nats()) {
            nats = NatsServer.start();
            // The Redis client extension is still there: pointed at a port nothing listens on, never used.
            return Map.of("quiver.broker", "nats", "quiver.nats.url", nats.url(),
                    "quarkus.redis.hosts", "redis://127.0.0.1:1");
        }
        redis = RedisServer.start();
        return Map.of("quarkus.redis.hosts", redis.uri());
    }

    @Override
    public void inject(TestInjector injector) {
        ServerProcess broker = nats != null ? nats : redis;
        injector.injectIntoFields(broker,
                new TestInjector.AnnotatedAndMatchesType(InjectBroker.class, ServerProcess.class));
        if (redis != null) {
            injector.injectIntoFields(redis,
                    new TestInjector.AnnotatedAndMatchesType(InjectRedisServer.class, RedisServer.class));
        }
        if (nats != null) {
            injector.injectIntoFields(nats,
                    new TestInjector.AnnotatedAndMatchesType(InjectNatsServer.class, NatsServer.class));
        }
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
        }
        if (nats != null) {
            nats.close();
        }
    }
}
