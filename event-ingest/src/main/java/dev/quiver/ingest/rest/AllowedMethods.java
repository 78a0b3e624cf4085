package dev.quiver.ingest.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

import dev.quiver.contract.problem.RouteProblems;

/** The ingest API takes POST only: any other method answers 405 with {@code Allow: POST}. */
@ApplicationScoped
public class AllowedMethods {

    private final RouteProblems problems;

    public AllowedMethods(RouteProblems problems) {
        this.problems = problems;
    }

    void register(@Observes Router router) {
        problems.allowOnly(router, "/v1/(topics/[^/]+/events|events)", HttpMethod.POST);
    }
}
