package dev.quiver.edge;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.quiver.testkit.InjectRedisServer;
import dev.quiver.testkit.RedisServer;

/** A real redis-server, with the live reader (only) reaching it through a {@link SilentProxy}. */
public class SilentReaderResource implements QuarkusTestResourceLifecycleManager {

    /** The reader's way to Redis, for the test to silence. */
    static volatile SilentProxy proxy;

    private RedisServer server;

    @Override
    public Map<String, String> start() {
        server = RedisServer.start();
        proxy = new SilentProxy(server.port());
        return Map.of("quarkus.redis.hosts", server.uri(),
                "quarkus.redis.reader.hosts", "redis://127.0.0.1:" + proxy.port(),
                "quiver.edge.reader-connect-timeout", "1s");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectRedisServer.class, RedisServer.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
