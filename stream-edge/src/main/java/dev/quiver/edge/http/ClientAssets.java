package dev.quiver.edge.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * How browsers may cache the client library (docs/client.md): {@code /quiver.js} is revalidated on every load, so a
 * page always gets the edge's current client; {@code /quiver/<version>/quiver.js} never changes, so it is cached for
 * a year and may be loaded with a subresource integrity hash.
 */
@ApplicationScoped
public class ClientAssets {

    /** The version path prefix of the immutable copy. */
    static final String VERSIONED = "/quiver/";

    void register(@Observes Router router) {
        router.getWithRegex("/quiver\\.js|/quiver/[^/]+/quiver\\.js").order(-90).handler(context -> {
            String cache = context.request().path().startsWith(VERSIONED)
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
            // After the static handler's own headers, which would otherwise win.
            context.addHeadersEndHandler(v -> context.response().putHeader("Cache-Control", cache));
            context.next();
        });
    }
}
