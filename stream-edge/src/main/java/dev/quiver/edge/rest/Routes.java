package dev.quiver.edge.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

import dev.quiver.edge.poll.PollHandler;
import dev.quiver.edge.sse.SseHandler;

/**
 * The streaming endpoints are plain Vert.x routes: they write shared byte buffers straight to the connection, with no
 * per-request framework machinery in the hot path.
 */
@ApplicationScoped
public class Routes {

    private final SseHandler sse;
    private final PollHandler poll;

    public Routes(SseHandler sse, PollHandler poll) {
        this.sse = sse;
        this.poll = poll;
    }

    void register(@Observes Router router) {
        router.get("/v1/stream").handler(sse::handle);
        router.get("/v1/poll").handler(poll::handle);
    }
}
