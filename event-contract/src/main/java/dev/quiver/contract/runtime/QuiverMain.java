package dev.quiver.contract.runtime;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The entry point of every Quiver service. It only prepares the JVM, then starts Quarkus as usual.
 * <p>
 * Quarkus's HTTP layer checks each request target with {@link java.net.URI} before any route runs and answers an
 * invalid one (a bad percent-escape such as {@code %zz}) with a bare 400: no body, no Content-Type, no way for a
 * client to tell why. {@code vertx.disableURIValidation} leaves that check to the router, where
 * {@code RouteProblems} answers problem+json. It is a system property read once when the server starts, so it must be
 * set before Quarkus starts; tests set it in the build (surefire) for the same reason.
 */
@QuarkusMain
public final class QuiverMain {

    /** The JVM property that moves request-target validation from the HTTP layer to the router. */
    public static final String ROUTER_VALIDATES_URIS = "vertx.disableURIValidation";

    public static void main(String... args) {
        System.setProperty(ROUTER_VALIDATES_URIS, "true");
        Quarkus.run(args);
    }
}
