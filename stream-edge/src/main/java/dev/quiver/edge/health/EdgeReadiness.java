package dev.quiver.edge.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.quiver.edge.connection.ConnectionRegistry;
import dev.quiver.edge.hub.TopicHub;

/**
 * Ready while the live reader has Redis (or lost it less than the grace ago) and the pod is not draining. A pod whose
 * reader is cut off would accept streams and deliver nothing.
 */
@Readiness
@ApplicationScoped
public class EdgeReadiness implements HealthCheck {

    private final TopicHub hub;
    private final ConnectionRegistry registry;

    public EdgeReadiness(TopicHub hub, ConnectionRegistry registry) {
        this.hub = hub;
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Quiver live reader")
                .status(hub.readerHealthy() && !registry.draining())
                .withData("reader", hub.readerHealthy() ? "connected" : "disconnected")
                .withData("draining", registry.draining())
                .withData("connections", registry.size())
                .build();
    }
}
