package dev.quiver.contract.problem;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The problem+json answer of plain Vert.x routes, the same shape the REST mappers produce; and the answer to what fails
 * before any route runs. A request target the HTTP layer cannot decode (a bad percent-escape in the path or query)
 * fails routing with a bare 400, which would leave with no body and no Content-Type: here it becomes a problem too,
 * and so does a query string that cannot be decoded.
 */
@ApplicationScoped
public class RouteProblems {

    private final ObjectMapper json;
    private final ProblemListener listener;

    public RouteProblems(ObjectMapper json, ProblemListener listener) {
        this.json = json;
        this.listener = listener;
    }

    void register(@Observes Router router) {
        // A query string is decoded lazily, by whichever handler reads a parameter first, and a broken escape there
        // throws out of that handler as a 500. Decoding it once, before any route, makes it a 400 for every route.
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            try {
                context.request().params();
            } catch (IllegalArgumentException undecodable) {
                send(context, new ProblemException(ProblemType.INVALID_REQUEST,
                        "The query string cannot be decoded (a malformed percent-escape?)"));
                return;
            }
            context.next();
        });
        router.errorHandler(400, context -> {
            if (!context.response().ended() && !context.response().headWritten()) {
                send(context, new ProblemException(ProblemType.INVALID_REQUEST,
                        "The request target cannot be decoded (a malformed percent-escape?)"));
            }
        });
    }

    /**
     * Answers 405 with {@code Allow} for a request to {@code pathRegex} whose method is not one of {@code allowed}
     * (OPTIONS passes: CORS and the framework answer it). The REST framework knows its resources' methods but names
     * none in its 405; the services declare theirs here, before any resource runs.
     */
    public void allowOnly(Router router, String pathRegex, HttpMethod... allowed) {
        Set<HttpMethod> methods = Set.of(allowed);
        String allow = Arrays.stream(allowed).map(HttpMethod::name).collect(Collectors.joining(", "));
        router.routeWithRegex(pathRegex).handler(context -> {
            HttpMethod method = context.request().method();
            if (methods.contains(method) || method == HttpMethod.OPTIONS) {
                context.next();
                return;
            }
            send(context, new ProblemException(ProblemType.METHOD_NOT_ALLOWED,
                    method.name() + " is not supported here; use " + allow).withHeader("Allow", allow));
        });
    }

    /** Answers {@code problem}, with its Retry-After and headers. */
    public void send(RoutingContext context, ProblemException problem) {
        listener.onProblem(problem.type());
        byte[] body;
        try {
            body = json.writeValueAsBytes(Problems.body(problem.type(), problem.getMessage(), instance(context),
                    problem.extensions() == null ? Map.of() : problem.extensions()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpServerResponse response = context.response().setStatusCode(problem.type().status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problems.MEDIA_TYPE);
        if (problem.retryAfterSeconds() != null) {
            response.putHeader("Retry-After", problem.retryAfterSeconds().toString());
        }
        problem.headers().forEach(response::putHeader);
        response.end(Buffer.buffer(body));
    }

    /** The path that failed; for a target that cannot be normalised, its undecoded path. */
    private static String instance(RoutingContext context) {
        try {
            return context.normalizedPath();
        } catch (RuntimeException undecodable) {
            String path = context.request().path();
            return path == null ? null : path;
        }
    }
}
