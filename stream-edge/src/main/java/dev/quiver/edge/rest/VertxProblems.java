package dev.quiver.edge.rest;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemListener;
import dev.quiver.contract.problem.Problems;

/** The problem+json answer of the raw Vert.x routes, the same shape the REST mappers produce. */
@ApplicationScoped
public class VertxProblems {

    private final ObjectMapper json;
    private final ProblemListener listener;

    public VertxProblems(ObjectMapper json, ProblemListener listener) {
        this.json = json;
        this.listener = listener;
    }

    public void send(RoutingContext context, ProblemException problem) {
        listener.onProblem(problem.type());
        byte[] body;
        try {
            body = json.writeValueAsBytes(Problems.body(problem.type(), problem.getMessage(), context.normalizedPath(),
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
}
