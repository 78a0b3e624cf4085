package dev.quiver.contract.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.Use;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Holds the secrets the services verify credentials with, and keeps them current: publisher key digests, the HS256
 * secret and the JWKS public keys are loaded at startup (a bad configuration stops the service) and re-read every
 * {@link AuthConfig#reloadInterval()} (a bad reload keeps the previous, working set and logs why).
 */
@ApplicationScoped
public class CredentialStore {

    private static final Logger LOG = Logger.getLogger(CredentialStore.class);
    private static final int MIN_HMAC_BYTES = 32;
    private static final int MAX_JWKS_BYTES = 1 << 20;

    private final AuthConfig config;
    private final Vertx vertx;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong lastJwksFetch = new AtomicLong();
    private volatile PublisherKeys publisherKeys = new PublisherKeys(List.of());
    private volatile HmacKey hmacKey;
    private volatile List<PublicJsonWebKey> fileKeys = List.of();
    private volatile List<PublicJsonWebKey> urlKeys = List.of();
    private long timer = -1;

    public CredentialStore(AuthConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent startup) {
        if (!config.enabled()) {
            return;
        }
        AuthConfig.Jwt jwt = config.jwt();
        boolean anyJwtKey = jwt.hs256Secret().isPresent() || jwt.hs256SecretFile().isPresent()
                || jwt.jwksUrl().isPresent() || jwt.jwksFile().isPresent();
        if (anyJwtKey && jwt.issuer().isEmpty()) {
            throw new IllegalStateException("quiver.auth.jwt.issuer must be set when JWT keys are configured");
        }
        publisherKeys = PublisherKeys.load(config.publisherKeys(), config.publisherKeysFile().orElse(null));
        hmacKey = loadHmac();
        jwt.jwksFile().ifPresent(file -> fileKeys = parseJwks(read(file)));
        jwt.jwksUrl().ifPresent(url -> fetchJwks());
        if (publisherKeys.size() == 0 && !anyJwtKey) {
            LOG.warn("Authentication is on, but no publisher key and no JWT key is configured: only public topics "
                    + "can be read and nothing can be published (docs/security.md)");
        }
        timer = vertx.setPeriodic(config.reloadInterval().toMillis(), id -> reload());
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    public PublisherKeys publisherKeys() {
        return publisherKeys;
    }

    /** The HS256 key, or {@code null} when HS256 tokens are not accepted. */
    public HmacKey hmacKey() {
        return hmacKey;
    }

    /** The keys of the JWKS file and of the JWKS URL together. */
    public List<PublicJsonWebKey> jwks() {
        List<PublicJsonWebKey> fromFile = fileKeys;
        List<PublicJsonWebKey> fromUrl = urlKeys;
        if (fromUrl.isEmpty()) {
            return fromFile;
        }
        if (fromFile.isEmpty()) {
            return fromUrl;
        }
        List<PublicJsonWebKey> both = new ArrayList<>(fromFile);
        both.addAll(fromUrl);
        return both;
    }

    /**
     * Asks for a fresh JWKS because a token named a key id we do not know (the issuer may have rotated its keys), at
     * most once per {@code jwks-min-refresh}, so that forged key ids cannot make us hammer the issuer.
     */
    public void unknownKeyId() {
        if (config.jwt().jwksUrl().isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long last = lastJwksFetch.get();
        if (now - last >= config.jwt().jwksMinRefresh().toNanos() && lastJwksFetch.compareAndSet(last, now)) {
            fetchJwks();
        }
    }

    private void reload() {
        vertx.executeBlocking(() -> {
            config.publisherKeysFile().ifPresent(file -> publisherKeys = PublisherKeys.load(config.publisherKeys(),
                    file));
            if (config.jwt().hs256SecretFile().isPresent()) {
                hmacKey = loadHmac();
            }
            config.jwt().jwksFile().ifPresent(file -> fileKeys = parseJwks(read(file)));
            return null;
        }, false).onFailure(failure -> LOG.warnf("Reloading credentials failed, keeping the previous ones: %s",
                failure.getMessage()));
        config.jwt().jwksUrl().ifPresent(url -> fetchJwks());
    }

    private void fetchJwks() {
        URI url = config.jwt().jwksUrl().orElseThrow();
        lastJwksFetch.set(System.nanoTime());
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json").GET().build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete(
                (response, failure) -> {
                    try {
                        if (failure != null) {
                            throw new IOException(failure.toString());
                        }
                        if (response.statusCode() != 200) {
                            throw new IOException("HTTP " + response.statusCode());
                        }
                        if (response.body().length > MAX_JWKS_BYTES) {
                            throw new IOException("a JWKS over " + MAX_JWKS_BYTES + " bytes");
                        }
                        List<PublicJsonWebKey> keys = parseJwks(new String(response.body(), StandardCharsets.UTF_8));
                        urlKeys = keys;
                        LOG.debugf("JWKS loaded: %d keys", keys.size());
                    } catch (IOException | RuntimeException e) {
                        // Host and path only: a URL may carry credentials in its user info or query.
                        LOG.warnf("Fetching the JWKS from %s://%s%s failed, keeping %d known keys: %s",
                                url.getScheme(), url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()),
                                url.getPath(), urlKeys.size(), e.getMessage());
                    }
                });
    }

    /**
     * The signing keys of a JWKS: RSA keys, and EC keys on P-256. Symmetric ({@code oct}) keys and keys meant for
     * encryption are ignored: an HMAC secret is configured on its own, never taken from a key set.
     */
    static List<PublicJsonWebKey> parseJwks(String json) {
        JsonWebKeySet set;
        try {
            set = new JsonWebKeySet(json);
        } catch (JoseException e) {
            throw new IllegalArgumentException("invalid JWKS: " + e.getMessage(), e);
        }
        List<PublicJsonWebKey> keys = new ArrayList<>();
        for (JsonWebKey key : set.getJsonWebKeys()) {
            if (key.getUse() != null && !Use.SIGNATURE.equals(key.getUse())) {
                continue;
            }
            if (key instanceof RsaJsonWebKey rsa) {
                keys.add(rsa);
            } else if (key instanceof EllipticCurveJsonWebKey ec && EllipticCurves.P_256.equals(ec.getCurveName())) {
                keys.add(ec);
            }
        }
        return List.copyOf(keys);
    }

    private HmacKey loadHmac() {
        AuthConfig.Jwt jwt = config.jwt();
        String secret = jwt.hs256SecretFile().map(CredentialStore::read).map(CredentialStore::chomp)
                .orElse(jwt.hs256Secret().orElse(null));
        if (secret == null) {
            return null;
        }
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_HMAC_BYTES) {
            throw new IllegalStateException("The HS256 secret must be at least " + MIN_HMAC_BYTES + " bytes");
        }
        return new HmacKey(bytes);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String chomp(String value) {
        return value.endsWith("\r\n")
                ? value.substring(0, value.length() - 2)
                : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    }
}
