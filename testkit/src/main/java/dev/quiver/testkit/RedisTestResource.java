package dev.quiver.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource: one real redis-server for the application under test, wired in through
 * {@code quarkus.redis.hosts}. Use it with {@code @WithTestResource(RedisTestResource.class)}; a field annotated
 * {@link InjectRedisServer} receives the server, to inspect it or to stop and restart it.
 * <p>
 * The init arg {@code args} passes extra {@code redis-server} arguments, separated by spaces ({@code ''} is an empty
 * one), e.g. {@code --rename-command SSUBSCRIBE ''} for a Redis without sharded Pub/Sub.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    private RedisServer server;
    private List<String> args = List.of();

    @Override
    public void init(Map<String, String> initArgs) {
        String given = initArgs.get("args");
        if (given != null && !given.isBlank()) {
            List<String> parsed = new ArrayList<>();
            for (String arg : given.trim().split("\\s+")) {
                parsed.add("''".equals(arg) ? "" : arg);
            }
            args = List.copyOf(parsed);
        }
    }

    @Override
    public Map<String, String> start() {
        server = args.isEmpty()
                ? RedisServer.start()
                : RedisServer.start(RedisServer.executable(), RedisServer.freePort(), args);
        return Map.of("quarkus.redis.hosts", server.uri());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectRedisServer.class, RedisServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
