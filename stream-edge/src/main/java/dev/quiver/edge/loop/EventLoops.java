package dev.quiver.edge.loop;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * Running work on the event loop that owns some state. Edge state (the hub's registry, a session's positions) is
 * touched from one context only, while Redis futures complete on their connection's loop; this is the one place that
 * hops between the two, with public Vert.x and SmallRye APIs only.
 */
public final class EventLoops {

    private EventLoops() {
    }

    /**
     * The context that owns a request's or connection's state: requests run on duplicated contexts, one per request,
     * over their event loop's root context; grouping by root groups by event loop.
     */
    public static Context root(Context context) {
        return VertxContext.getRootContext(context);
    }

    /** Whether the calling thread runs {@code owner}'s event loop right now. */
    public static boolean isOn(Context owner) {
        Context current = Vertx.currentContext();
        return current != null && Context.isOnEventLoopThread() && root(current) == root(owner);
    }

    /** Handles {@code future}'s result on {@code owner}: at once when already there, else as a task on it. */
    public static <T> void onContext(Future<T> future, Context owner, Handler<AsyncResult<T>> handler) {
        future.onComplete(result -> {
            if (isOn(owner)) {
                handler.handle(result);
            } else {
                owner.runOnContext(v -> handler.handle(result));
            }
        });
    }
}
