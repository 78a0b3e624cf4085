package dev.quiver.snapshot.rest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.problem.RouteProblems;

/**
 * What the REST resources cannot do themselves: 405 with {@code Allow} for methods other than GET and HEAD, and entity
 * keys that are dot segments.
 * <p>
 * A key may be {@code .} or {@code ..}, but the HTTP layer normalises the path before any resource sees it (RFC 3986
 * removes dot segments, encoded ones too), so {@code /entities/%2E%2E} would become {@code /v1/topics/t/}. Such a
 * request is re-routed with the key behind a NUL marker, which no key can contain (keys have no control characters),
 * and {@link SnapshotResource} takes the marker off.
 */
@ApplicationScoped
public class SnapshotRoutes {

    /** Prefix of a dot-segment key on its way to the resource. */
    static final String DOT_KEY_MARKER = "\u0000";

    private static final Pattern DOT_KEY = Pattern.compile(
            "^/v1/topics/([^/]+)/entities/((?:\\.|%2[eE]){1,2})$");

    private final RouteProblems problems;

    public SnapshotRoutes(RouteProblems problems) {
        this.problems = problems;
    }

    void register(@Observes Router router) {
        problems.allowOnly(router, "/v1/topics/.*", HttpMethod.GET, HttpMethod.HEAD);
        router.route().handler(this::dotSegmentKeys);
    }

    private void dotSegmentKeys(RoutingContext context) {
        Matcher key = DOT_KEY.matcher(context.request().path());
        if (!key.matches()) {
            context.next();
            return;
        }
        String dots = key.group(2).replaceAll("%2[eE]", ".");
        context.reroute("/v1/topics/" + key.group(1) + "/entities/%00" + dots);
    }

    /** The key a resource was given, with a dot-segment key's marker taken off. */
    static String key(String fromPath) {
        return fromPath.equals(DOT_KEY_MARKER + ".") || fromPath.equals(DOT_KEY_MARKER + "..")
                ? fromPath.substring(1)
                : fromPath;
    }
}
