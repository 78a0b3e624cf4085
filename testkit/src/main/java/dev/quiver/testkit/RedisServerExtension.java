package dev.quiver.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Plain JUnit 5 extension: one real redis-server per test class, handed to any {@link RedisServer} parameter of a
 * test, lifecycle or constructor method, and stopped after the class.
 */
public class RedisServerExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
            .create(RedisServerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RedisServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    private static RedisServer server(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent("server", k -> new ClosingServer(RedisServer.start()), ClosingServer.class)
                .server();
    }

    /** Lets JUnit close the server with the class's store. */
    private record ClosingServer(RedisServer server) implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() {
            server.close();
        }
    }
}
