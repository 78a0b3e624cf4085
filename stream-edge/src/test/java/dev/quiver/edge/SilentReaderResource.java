package dev.quiver.edge;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import dev.quiver.testkit.RedisTestResource;

/** {@link RedisTestResource}, with the live reader (only) reaching the server through a {@link SilentProxy}. */
public class SilentReaderResource extends RedisTestResource {

    /** The reader's way to Redis, for the test to silence. */
    static volatile SilentProxy proxy;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        proxy = new SilentProxy(URI.create(config.get("quarkus.redis.hosts")).getPort());
        config.put("quarkus.redis.reader.hosts", "redis://127.0.0.1:" + proxy.port());
        config.put("quiver.edge.reader-connect-timeout", "1s");
        return config;
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        super.stop();
    }
}
