package dev.quiver.ingest.rest;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * Reads a request body with a hard limit, so a client cannot make ingest hold more than the limit in memory: a declared
 * Content-Length over it is refused before a byte is read, and a chunked body is refused the moment it crosses it.
 * <p>
 * The resources read their bodies through this instead of a body parameter because the framework's own limit is one
 * number for every route and answers with an empty 413; ours is per endpoint and answers problem+json.
 */
final class BoundedBody {

    private static final long LINGER_MILLIS = 1000;
    /** Largest unread body a refused request may leave that is discarded rather than closed on. */
    private static final long DISCARD_LIMIT = 64 * 1024;

    private BoundedBody() {
    }

    static Uni<byte[]> read(RoutingContext context, long limit) {
        HttpServerRequest request = context.request();
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && exceeds(declared, limit)) {
            return Uni.createFrom().failure(tooLarge(context, limit));
        }
        return Uni.createFrom().emitter(emitter -> {
            Buffer body = Buffer.buffer();
            // All callbacks run on the request's event loop, one at a time: a plain flag is enough.
            boolean[] settled = {false};
            request.handler(chunk -> {
                if (settled[0]) {
                    return;
                }
                if (body.length() + chunk.length() > limit) {
                    settled[0] = true;
                    emitter.fail(tooLarge(context, limit));
                } else {
                    body.appendBuffer(chunk);
                }
            });
            request.exceptionHandler(failure -> {
                if (!settled[0]) {
                    settled[0] = true;
                    emitter.fail(new ProblemException(ProblemType.INVALID_REQUEST, "The request body was cut off"));
                }
            });
            request.endHandler(ignored -> {
                if (!settled[0]) {
                    settled[0] = true;
                    emitter.complete(body.getBytes());
                }
            });
            if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
                request.response().writeContinue();
            }
            request.resume();
        });
    }

    /**
     * {@code work} (which reads the body last), cleaning up when it fails before the body was read: a request refused
     * on its headers (401, 403, 429) leaves its body on the connection. A small declared body is read and discarded,
     * so the connection stays usable (a client retrying with fresh credentials keeps it); anything else gets a
     * lingering close.
     */
    static <T> Uni<T> refusedEarly(RoutingContext context, Uni<T> work) {
        return work.onFailure().invoke(failure -> {
            HttpServerRequest request = context.request();
            if (request.isEnded()) {
                return;
            }
            String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && !exceeds(declared, DISCARD_LIMIT)) {
                request.handler(ignored -> {
                });
                request.resume();
            } else {
                lingerThenClose(context);
            }
        });
    }

    private static void lingerThenClose(RoutingContext context) {
        if (context.request().version() != HttpVersion.HTTP_2) {
            context.addEndHandler(ignored -> context.vertx().setTimer(LINGER_MILLIS,
                    timer -> context.request().connection().close()));
        }
    }

    private static boolean exceeds(String declared, long limit) {
        try {
            return Long.parseLong(declared.trim()) > limit;
        } catch (NumberFormatException e) {
            // The HTTP codec rejects a malformed Content-Length before we run; treat anything left as too large.
            return true;
        }
    }

    /**
     * The problem to answer with, after arranging for the HTTP/1 connection to close a moment after it is sent:
     * otherwise the server would go on reading (and discarding) whatever the client still pushes. Not at once, because
     * a client still sending its body would then see a broken pipe instead of the 413 (a "lingering close"). An
     * HTTP/2 stream ends on its own.
     */
    private static ProblemException tooLarge(RoutingContext context, long limit) {
        lingerThenClose(context);
        return new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "The body exceeds the limit of " + limit + " bytes")
                .with("limit", limit);
    }
}
