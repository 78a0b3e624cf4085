package dev.quiver.contract.security;

import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

import dev.quiver.contract.event.TopicPatterns;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * The one place credentials are checked and topics authorized, for every transport of every service
 * (docs/security.md). Default deny: without credentials only the public topics can be read and nothing can be
 * published. Every refusal is a problem ({@code 401} with {@code WWW-Authenticate}, {@code 403}, {@code 429}) and an
 * audit line.
 */
@ApplicationScoped
public class Authenticator {

    private static final Logger LOG = Logger.getLogger(Authenticator.class);
    private static final String REALM = "Bearer realm=\"quiver\"";
    private static final int MAX_CREDENTIAL_LENGTH = 8192;

    private final AuthConfig config;
    private final CredentialStore store;
    private final AuditLog audit;
    private final JwtVerifier jwt;
    private final TopicPatterns publicTopics;
    private final RateLimiter publishLimiter = new RateLimiter(100_000);
    private final RateLimiter.Limit defaultPublishRate;

    public Authenticator(AuthConfig config, CredentialStore store, AuditLog audit) {
        this.config = config;
        this.store = store;
        this.audit = audit;
        this.jwt = new JwtVerifier(store, config.jwt());
        this.publicTopics = TopicPatterns.of(config.publicTopics().orElse(List.of()));
        this.defaultPublishRate = new RateLimiter.Limit(config.publishRate().eventsPerSecond(),
                config.publishRate().burst());
    }

    void announce(@Observes StartupEvent startup) {
        Config framework = ConfigProvider.getConfig();
        boolean credentials = framework.getOptionalValue("quarkus.http.cors.access-control-allow-credentials",
                Boolean.class).orElse(false);
        List<String> origins = framework.getOptionalValues("quarkus.http.cors.origins", String.class)
                .orElse(List.of());
        if (credentials && origins.stream().anyMatch(origin -> origin.contains("*"))) {
            throw new IllegalStateException("CORS: a wildcard origin with credentials lets any site read responses "
                    + "with its visitors' credentials; list the origins or turn credentials off");
        }
        if (!config.enabled()) {
            LOG.warn("AUTHENTICATION IS OFF (quiver.auth.enabled=false): anyone can read and publish every topic. "
                    + "Use this for local development only.");
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Who presents these credentials.
     *
     * @param authorization the {@code Authorization} header, or {@code null}
     * @param accessToken the {@code access_token} query parameter (browsers' EventSource and WebSocket cannot set
     *        headers), or {@code null}; only tokens are taken there, never publisher keys
     * @throws ProblemException 401 when credentials are present but not valid
     */
    public Principal authenticate(String authorization, String accessToken, Caller caller) {
        if (!config.enabled()) {
            return Principal.OPEN;
        }
        String credential;
        boolean fromQuery = false;
        if (authorization != null) {
            if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw unauthorized("malformed-authorization", "Authorization must be 'Bearer <key or token>'", true,
                        caller);
            }
            credential = authorization.substring(7).strip();
        } else if (accessToken != null) {
            credential = accessToken.strip();
            fromQuery = true;
        } else {
            return Principal.ANONYMOUS;
        }
        if (credential.isEmpty() || credential.length() > MAX_CREDENTIAL_LENGTH) {
            throw unauthorized("malformed-credential", "The credential is empty or too long", true, caller);
        }
        if (!fromQuery) {
            PublisherKeys.Entry key = store.publisherKeys().find(credential);
            if (key != null) {
                return new Principal(Principal.Kind.API_KEY, key.name(), TopicPatterns.none(), key.topics(), null,
                        HexFormat.of().formatHex(key.digest()), null);
            }
        }
        if (!looksLikeJwt(credential)) {
            // Query strings end up in logs and browser history: a long-lived key is never taken from there.
            throw fromQuery
                    ? unauthorized("malformed-token", "access_token takes a JWT; send API keys in Authorization",
                            true, caller)
                    : unauthorized("unknown-key", "Unknown API key", true, caller);
        }
        try {
            return jwt.verify(credential);
        } catch (JwtVerifier.Rejected e) {
            throw unauthorized(e.reason(), e.getMessage(), true, caller);
        }
    }

    /**
     * Whether the credential behind a long-lived connection still exists: an API key removed from the configuration
     * (or replaced under its name) stops being honoured on the connections it opened. Tokens end with their expiry.
     */
    public boolean stillValid(Principal principal) {
        if (principal.kind() != Principal.Kind.API_KEY) {
            return true;
        }
        PublisherKeys.Entry entry = store.publisherKeys().byName(principal.subject());
        return entry != null && HexFormat.of().formatHex(entry.digest()).equals(principal.keyDigest());
    }

    /** Whether {@code principal} may read {@code topic}. */
    public boolean maySubscribe(Principal principal, String topic) {
        return publicTopics.matches(topic) || principal.subscribe().matches(topic);
    }

    /** Whether {@code principal} may publish to {@code topic}. */
    public boolean mayPublish(Principal principal, String topic) {
        return principal.publish().matches(topic);
    }

    /** Refuses (401 anonymous, 403 otherwise) unless every topic may be read. */
    public void checkSubscribe(Principal principal, Collection<String> topics, Caller caller) {
        for (String topic : topics) {
            if (!maySubscribe(principal, topic)) {
                throw denied(principal, "Not allowed to read topic " + topic, caller);
            }
        }
    }

    /** Refuses (401 anonymous, 403 otherwise) unless {@code topic} may be published to. */
    public void checkPublish(Principal principal, String topic, Caller caller) {
        if (!mayPublish(principal, topic)) {
            throw denied(principal, "Not allowed to publish to topic " + topic, caller);
        }
    }

    /** Refuses (401 anonymous, 403 otherwise) a caller that may publish to no topic at all. */
    public void checkPublishAnything(Principal principal, Caller caller) {
        if (principal.publish().isEmpty()) {
            throw denied(principal, "These credentials may not publish", caller);
        }
    }

    /**
     * Counts {@code events} (0 only checks that the bucket is not empty) against the publisher's rate (per pod); throws 429 with {@code Retry-After} when its
     * bucket is empty. Callers without identity (authentication off) are not limited here.
     */
    public void chargePublish(Principal principal, int events, Caller caller) {
        String key = principal.limitKey();
        if (key == null) {
            return;
        }
        RateLimiter.Limit limit = defaultPublishRate;
        if (principal.kind() == Principal.Kind.API_KEY) {
            PublisherKeys.Entry entry = store.publisherKeys().byName(principal.subject());
            if (entry != null && entry.rate() != null) {
                limit = entry.rate();
            }
        }
        long waitMillis = publishLimiter.acquire(key, limit, events);
        if (waitMillis > 0) {
            audit.refused(429, "publish-rate", principal.subject(), caller);
            throw new ProblemException(ProblemType.RATE_LIMITED, "Publish rate limit of " + limit.perSecond()
                    + " events/s exceeded").retryAfter((int) Math.max(1, (waitMillis + 999) / 1000));
        }
    }

    /** Records a refusal decided elsewhere (an Origin, a connection rate), in the same audit trail. */
    public void audit(int status, String reason, Principal principal, Caller caller) {
        audit.refused(status, reason, principal == null ? null : principal.subject(), caller);
    }

    private ProblemException denied(Principal principal, String detail, Caller caller) {
        if (principal.kind() == Principal.Kind.ANONYMOUS) {
            return unauthorized("missing-credentials", detail + " without credentials", false, caller);
        }
        audit.refused(403, "topic-not-allowed", principal.subject(), caller);
        return new ProblemException(ProblemType.FORBIDDEN, detail).withHeader("WWW-Authenticate",
                REALM + ", error=\"insufficient_scope\"");
    }

    private ProblemException unauthorized(String reason, String detail, boolean invalidCredential, Caller caller) {
        audit.refused(401, reason, null, caller);
        String challenge = invalidCredential ? REALM + ", error=\"invalid_token\"" : REALM;
        return new ProblemException(ProblemType.UNAUTHORIZED, detail).with("reason", reason)
                .withHeader("WWW-Authenticate", challenge);
    }

    /** Three dot-separated parts: a JWS compact serialization. */
    private static boolean looksLikeJwt(String credential) {
        int first = credential.indexOf('.');
        return first > 0 && credential.indexOf('.', first + 1) > first + 1
                && credential.indexOf('.', credential.indexOf('.', first + 1) + 1) < 0;
    }
}
