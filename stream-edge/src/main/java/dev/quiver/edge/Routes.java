package dev.quiver.edge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

import dev.quiver.contract.problem.RouteProblems;
import dev.quiver.edge.poll.PollHandler;
import dev.quiver.edge.sse.SseHandler;
import dev.quiver.edge.ws.WsHandler;

/**
 * The streaming endpoints are plain Vert.x routes: they write shared byte buffers straight to the connection, with no
 * per-request framework machinery in the hot path.
 */
@ApplicationScoped
public class Routes {

    private final SseHandler sse;
    private final PollHandler poll;
    private final WsHandler ws;
    private final RouteProblems problems;

    public Routes(SseHandler sse, PollHandler poll, WsHandler ws, RouteProblems problems) {
        this.sse = sse;
        this.poll = poll;
        this.ws = ws;
        this.problems = problems;
    }

    void register(@Observes Router router) {
        problems.allowOnly(router, "/v1/(stream|poll|ws)", HttpMethod.GET);
        router.get("/v1/stream").handler(sse::handle);
        router.get("/v1/poll").handler(poll::handle);
        router.get("/v1/ws").handler(ws::handle);
    }
}
