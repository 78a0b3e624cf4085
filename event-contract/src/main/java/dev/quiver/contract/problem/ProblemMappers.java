package dev.quiver.contract.problem;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The whole error model of the REST services: every failure leaves as {@code application/problem+json}. Three cases:
 * our own {@link ProblemException}, the framework's {@link WebApplicationException} (unknown path, wrong method,
 * missing body...), and anything else, which is a bug and answers 500 without leaking its message.
 */
@Singleton
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** Failures with a cause repeat with every request while a dependency is down: one line per kind and interval. */
    private static final LogThrottle THROTTLE = new LogThrottle(Duration.ofSeconds(10));

    private final ObjectMapper json;
    private final Instance<ProblemListener> listeners;

    public ProblemMappers(ObjectMapper json, Instance<ProblemListener> listeners) {
        this.json = json;
        this.listeners = listeners;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        if (e.getCause() != null) {
            long dropped = THROTTLE.admit(e.type().slug());
            if (dropped >= 0) {
                LOG.warnf("%s: %s (%s)%s", e.type().slug(), e.getMessage(), e.getCause().toString(),
                        dropped == 0 ? "" : "; " + dropped + " more since the last such line");
            }
        }
        Response.ResponseBuilder response = respond(e.type(), e.getMessage(), uri, e.extensions());
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        ProblemType type = ProblemType.forStatus(status);
        String detail = status >= 500 ? null : e.getMessage();
        Response.ResponseBuilder response = respond(type, detail, uri, Map.of()).status(status);
        // A 405 names the methods that are allowed (RFC 9110); the framework computed them.
        String allow = e.getResponse().getHeaderString("Allow");
        if (allow != null) {
            response.header("Allow", allow);
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        LOG.error("Unhandled error", e);
        return respond(ProblemType.INTERNAL, null, uri, Map.of()).build();
    }

    private Response.ResponseBuilder respond(ProblemType type, String detail, UriInfo uri, Map<String, Object> ext) {
        for (ProblemListener listener : listeners) {
            try {
                listener.onProblem(type);
            } catch (RuntimeException listenerFailure) {
                LOG.debug("Problem listener failed", listenerFailure);
            }
        }
        String instance = uri == null ? null : "/" + uri.getPath().replaceFirst("^/", "");
        byte[] body;
        try {
            body = json.writeValueAsBytes(Problems.body(type, detail, instance, ext));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
        return Response.status(type.status()).type(Problems.MEDIA_TYPE).entity(body);
    }
}
