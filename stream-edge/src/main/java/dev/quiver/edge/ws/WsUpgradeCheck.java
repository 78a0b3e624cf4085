package dev.quiver.edge.ws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.security.Principal;
import dev.quiver.edge.metrics.EdgeMetrics;
import dev.quiver.edge.security.EdgeGuard;

/**
 * Decides a WebSocket handshake before the upgrade, so a refused client costs no socket state: a foreign Origin gets
 * 403, too many attempts 429, bad credentials 401, each with its headers ({@code WWW-Authenticate},
 * {@code Retry-After}). The principal of an accepted handshake travels to {@link WsEndpoint} in the connection's user
 * data.
 */
@ApplicationScoped
public class WsUpgradeCheck implements HttpUpgradeCheck {

    /** Where the handshake leaves the connection's principal. */
    static final UserData.TypedKey<Principal> PRINCIPAL = new UserData.TypedKey<>("quiver.principal");

    private final EdgeGuard guard;
    private final EdgeMetrics metrics;

    public WsUpgradeCheck(EdgeGuard guard, EdgeMetrics metrics) {
        this.guard = guard;
        this.metrics = metrics;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        if (!guard.originAllowed(request.getHeader("Origin"))) {
            guard.originRefused(request);
            metrics.onProblem(ProblemType.FORBIDDEN);
            return CheckResult.rejectUpgrade(403);
        }
        try {
            context.userData().put(PRINCIPAL, guard.admit(request, "ws", List.of()));
            return CheckResult.permitUpgrade();
        } catch (ProblemException e) {
            metrics.onProblem(e.type());
            Map<String, List<String>> headers = new LinkedHashMap<>();
            e.headers().forEach((name, value) -> headers.put(name, List.of(value)));
            if (e.retryAfterSeconds() != null) {
                headers.put("Retry-After", List.of(e.retryAfterSeconds().toString()));
            }
            return CheckResult.rejectUpgrade(e.type().status(), headers);
        }
    }
}
