package dev.quiver.edge.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.http.HttpServerRequest;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.security.Authenticator;
import dev.quiver.contract.security.Caller;
import dev.quiver.contract.security.Principal;
import dev.quiver.contract.security.RateLimiter;
import dev.quiver.edge.config.EdgeConfig;

/**
 * The edge's front door, the same for SSE, long polling and WebSocket: connection attempts per IP address, the
 * WebSocket Origin allow-list, and the subscriber's credentials (docs/security.md). Runs before any state is kept
 * for the connection.
 */
@ApplicationScoped
public class EdgeGuard {

    /** Query parameter for tokens of clients that cannot set headers (EventSource, browsers' WebSocket). */
    public static final String ACCESS_TOKEN = "access_token";

    private final Authenticator auth;
    private final RateLimiter attempts = new RateLimiter(100_000);
    private final RateLimiter.Limit attemptLimit;
    private final Set<String> allowedOrigins;
    private final boolean anyOrigin;

    public EdgeGuard(Authenticator auth, EdgeConfig config) {
        this.auth = auth;
        this.attemptLimit = new RateLimiter.Limit(config.connectRate().perSecond(), config.connectRate().burst());
        List<String> origins = config.ws().allowedOrigins();
        this.anyOrigin = origins.contains("*");
        this.allowedOrigins = origins.stream().map(EdgeGuard::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** The address a connection is counted under for attempt limits and audit lines. */
    public static String ip(HttpServerRequest request) {
        return request.remoteAddress() == null ? "-" : request.remoteAddress().host();
    }

    /**
     * The key an address is limited under: the address itself for IPv4, its /64 prefix for IPv6, where one client
     * commonly holds a whole /64 and could otherwise rotate through fresh addresses to escape any per-address limit.
     */
    public static String addressKey(String ip) {
        if (ip.indexOf(':') < 0) {
            return ip;
        }
        try {
            byte[] bytes = InetAddress.getByName(ip).getAddress();
            if (bytes.length == 16) {
                return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
            }
        } catch (UnknownHostException | SecurityException e) {
            // Not a literal after all: fall back to the text.
        }
        return ip;
    }

    /**
     * Checks a new SSE or poll request, or a WebSocket upgrade: attempt rate (429), credentials (401), and for streams
     * the topics (401/403).
     *
     * @param topics the topics to authorize now, or an empty list (WebSocket subscribes later)
     * @return who is connecting
     */
    public Principal admit(HttpServerRequest request, String transport, Collection<String> topics) {
        Caller caller = new Caller(ip(request), transport, request.path());
        long waitMillis = attempts.acquire(addressKey(caller.ip()), attemptLimit, 1);
        if (waitMillis > 0) {
            auth.audit(429, "connect-rate", null, caller);
            throw new ProblemException(ProblemType.RATE_LIMITED, "Too many connection attempts from this address")
                    .retryAfter((int) Math.max(1, (waitMillis + 999) / 1000));
        }
        String query = request.getParam(ACCESS_TOKEN);
        Principal principal = auth.authenticate(request.getHeader("Authorization"), query, caller);
        auth.checkSubscribe(principal, topics, caller);
        return principal;
    }

    /**
     * Whether a WebSocket handshake from {@code origin} may proceed. Browsers always send Origin, so a page of another
     * site cannot open a socket with its visitor's network position or ambient credentials (cross-site WebSocket
     * hijacking); clients that are not browsers send none and are let through to the credential check.
     */
    public boolean originAllowed(String origin) {
        if (origin == null) {
            return true;
        }
        return anyOrigin || allowedOrigins.contains(normalize(origin));
    }

    /** Records a refused Origin in the audit trail. */
    public void originRefused(HttpServerRequest request) {
        auth.audit(403, "origin-not-allowed", null, new Caller(ip(request), "ws", request.path()));
    }

    public Authenticator authenticator() {
        return auth;
    }

    private static String normalize(String origin) {
        String lower = origin.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith("/") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
