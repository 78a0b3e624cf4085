package dev.quiver.snapshot.security;

import java.util.List;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.core.http.HttpServerRequest;

import dev.quiver.contract.event.Topics;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.security.Authenticator;
import dev.quiver.contract.security.Caller;
import dev.quiver.contract.security.Principal;

/**
 * Every snapshot-api resource is about one topic: reading it needs the same right as subscribing to it
 * (docs/security.md). A filter rather than a check per method, so that a new endpoint cannot forget it.
 */
public class SubscriberFilter {

    /** Query parameter for tokens of clients that cannot set headers. */
    public static final String ACCESS_TOKEN = "access_token";

    private final Authenticator auth;

    public SubscriberFilter(Authenticator auth) {
        this.auth = auth;
    }

    @ServerRequestFilter
    public void authorize(ContainerRequestContext context, HttpServerRequest request) {
        Caller caller = new Caller(request.remoteAddress() == null ? "-" : request.remoteAddress().host(), "http",
                request.path());
        Principal principal = auth.authenticate(request.getHeader("Authorization"), request.getParam(ACCESS_TOKEN),
                caller);
        String topic = context.getUriInfo().getPathParameters().getFirst("topic");
        if (topic == null) {
            // A resource that is not about one topic has no rule here yet: closed until someone writes one.
            if (principal.kind() != Principal.Kind.OPEN) {
                throw new ProblemException(ProblemType.FORBIDDEN, "Not available");
            }
            return;
        }
        // A malformed name is the resource's 400 to give; a valid one must be readable by the caller.
        if (Topics.isValid(topic)) {
            auth.checkSubscribe(principal, List.of(topic), caller);
        }
    }
}
