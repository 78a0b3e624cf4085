package dev.quiver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Signing keys and tokens for the security suites: valid HS256, RS256 and ES256 tokens, and the hostile ones (alg
 * none, algorithm confusion, foreign keys, expired, wrong audience). {@link #authConfig()} is the matching service
 * configuration, with the keys written to a JWKS file the way a mounted Secret would hold them.
 */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.quiver.test";
    public static final String AUDIENCE = "quiver";
    public static final String HS256_SECRET = "test-secret-of-at-least-thirty-two-bytes-0123456789";
    /** A publisher API key allowed to publish to {@code orders.*} and {@code public.*}. */
    public static final String API_KEY = "test-publisher-key-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    /** A second key, limited to {@code audit.*}, with a tiny rate. */
    public static final String SLOW_API_KEY = "test-slow-key-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private static final RsaJsonWebKey RSA = rsa("rsa-1");
    private static final RsaJsonWebKey FOREIGN_RSA = rsa("rsa-1");
    private static final EllipticCurveJsonWebKey EC = ec("ec-1");

    private TestTokens() {
    }

    /** Service configuration (key names under {@code quiver.auth}) accepting these keys. */
    public static Map<String, String> authConfig() {
        Map<String, String> config = new HashMap<>();
        config.put("quiver.auth.enabled", "true");
        config.put("quiver.auth.public-topics", "public.*");
        config.put("quiver.auth.jwt.issuer", ISSUER);
        config.put("quiver.auth.jwt.audience", AUDIENCE);
        config.put("quiver.auth.jwt.hs256-secret", HS256_SECRET);
        config.put("quiver.auth.jwt.jwks-file", jwksFile().toString());
        config.put("quiver.auth.jwt.clock-skew", "0s");
        config.put("quiver.auth.expiry-grace", "1s");
        config.put("quiver.auth.publisher-keys.main.hash", sha256(API_KEY));
        config.put("quiver.auth.publisher-keys.main.topics", "orders.*,public.*");
        config.put("quiver.auth.publisher-keys.slow.key", SLOW_API_KEY);
        config.put("quiver.auth.publisher-keys.slow.topics", "audit.*");
        config.put("quiver.auth.publisher-keys.slow.events-per-second", "1");
        config.put("quiver.auth.publisher-keys.slow.burst", "3");
        return config;
    }

    /** A token builder with sensible valid defaults: 5 minutes of life, this issuer and audience. */
    public static Builder token(String subject) {
        return new Builder(subject);
    }

    /** Builds one token. */
    public static final class Builder {

        private final JwtClaims claims = new JwtClaims();

        private Builder(String subject) {
            claims.setSubject(subject);
            claims.setIssuer(ISSUER);
            claims.setAudience(AUDIENCE);
            claims.setIssuedAtToNow();
            expiresInSeconds(300);
        }

        public Builder subscribe(String... globs) {
            claims.setStringListClaim("quiver.subscribe", List.of(globs));
            return this;
        }

        public Builder publish(String... globs) {
            claims.setStringListClaim("quiver.publish", List.of(globs));
            return this;
        }

        /** Any other claim, such as {@code quiver.info} (a map becomes a JSON object). */
        public Builder claim(String name, Object value) {
            claims.setClaim(name, value);
            return this;
        }

        public Builder expiresInSeconds(long seconds) {
            NumericDate exp = NumericDate.now();
            exp.addSeconds(seconds);
            claims.setExpirationTime(exp);
            return this;
        }

        public Builder notBeforeInSeconds(long seconds) {
            NumericDate nbf = NumericDate.now();
            nbf.addSeconds(seconds);
            claims.setNotBefore(nbf);
            return this;
        }

        public Builder audience(String audience) {
            claims.setAudience(audience);
            return this;
        }

        public Builder issuer(String issuer) {
            claims.setIssuer(issuer);
            return this;
        }

        public String hs256() {
            return sign(AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(HS256_SECRET.getBytes(StandardCharsets.UTF_8)),
                    null);
        }

        public String hs256(String secret) {
            return sign(AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(secret.getBytes(StandardCharsets.UTF_8)), null);
        }

        public String rs256() {
            return sign(AlgorithmIdentifiers.RSA_USING_SHA256, RSA.getPrivateKey(), RSA.getKeyId());
        }

        public String es256() {
            return sign(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, EC.getPrivateKey(), EC.getKeyId());
        }

        /** Signed by an RSA key that has the trusted key's id but is not the trusted key. */
        public String rs256Foreign() {
            return sign(AlgorithmIdentifiers.RSA_USING_SHA256, FOREIGN_RSA.getPrivateKey(), FOREIGN_RSA.getKeyId());
        }

        /** {@code alg: none}, no signature. */
        public String none() {
            return sign(AlgorithmIdentifiers.NONE, null, null);
        }

        /**
         * Algorithm confusion: HS256 keyed with the trusted RSA public key (its PEM text, as an attacker finds it in
         * the JWKS), naming the RSA key's id.
         */
        public String confused() {
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(RSA.getPublicKey().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            return sign(AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(pem.getBytes(StandardCharsets.US_ASCII)),
                    RSA.getKeyId());
        }

        private String sign(String alg, Key key, String kid) {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setAlgorithmHeaderValue(alg);
            jws.setKey(key);
            if (kid != null) {
                jws.setKeyIdHeaderValue(kid);
            }
            jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
            jws.setDoKeyValidation(false);
            try {
                return jws.getCompactSerialization();
            } catch (JoseException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The trusted public keys as a JWKS file. */
    public static synchronized Path jwksFile() {
        try {
            Path file = Files.createTempFile("quiver-jwks", ".json");
            file.toFile().deleteOnExit();
            String json = new JsonWebKeySet(RSA, EC).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            Files.writeString(file, json, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code quiver.auth.publisher-keys.<name>.hash} holds for {@code key}. */
    public static String sha256(String key) {
        try {
            return "sha256:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RsaJsonWebKey rsa(String kid) {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(kid);
            key.setUse("sig");
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static EllipticCurveJsonWebKey ec(String kid) {
        try {
            EllipticCurveJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            key.setKeyId(kid);
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
