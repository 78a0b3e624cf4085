package dev.quiver.edge.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

import dev.quiver.edge.config.EdgeConfig;

/**
 * The pod's name on every response ({@code Quiver-Pod}). Clients never need it to be correct, since any pod resumes
 * any cursor; it is there so that people (and the demo page) can see which pod served what.
 */
@ApplicationScoped
public class PodIdentity {

    /** Response header naming the pod; exposed to browsers through CORS. */
    public static final String HEADER = "Quiver-Pod";

    private final String name;

    public PodIdentity(EdgeConfig config) {
        this.name = config.podName().filter(n -> !n.isBlank()).orElseGet(PodIdentity::hostName);
    }

    public String name() {
        return name;
    }

    void register(@Observes Router router) {
        router.route().order(-100).handler(context -> {
            context.response().putHeader(HEADER, name);
            context.next();
        });
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
