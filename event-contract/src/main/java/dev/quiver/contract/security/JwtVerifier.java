package dev.quiver.contract.security;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.UnresolvableKeyException;

import dev.quiver.contract.event.TopicPatterns;

/**
 * Verifies subscriber and publisher tokens: HS256 with the configured secret, RS256 and ES256 with the JWKS keys,
 * nothing else. The key is chosen by the algorithm family first and the key id second, so a token can never make an
 * RSA public key serve as an HMAC secret (algorithm confusion), and {@code alg: none} is outside the allowed list.
 */
public final class JwtVerifier {

    /** Claim listing the topic globs a token may read. */
    public static final String SUBSCRIBE_CLAIM = "quiver.subscribe";
    /** Claim: a small JSON object shown to others beside the token's {@code sub} in presence (docs/presence.md). */
    public static final String INFO_CLAIM = "quiver.info";
    /** Claim listing the topic globs a token may publish to. */
    public static final String PUBLISH_CLAIM = "quiver.publish";

    /** Why a token was refused: a stable slug for audit lines and a sentence for the client. */
    public static final class Rejected extends Exception {

        private static final long serialVersionUID = 1L;

        private final String reason;

        Rejected(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private static final Set<String> ALLOWED = Set.of(AlgorithmIdentifiers.HMAC_SHA256,
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);

    private final CredentialStore store;
    private final JwtConsumer consumer;

    public JwtVerifier(CredentialStore store, AuthConfig.Jwt config) {
        this.store = store;
        this.consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds((int) config.clockSkew().toSeconds())
                .setMaxFutureValidityInMinutes((int) Math.max(1, config.maxLifetime().toMinutes()))
                .setExpectedIssuer(config.issuer().orElse(null))
                .setExpectedAudience(config.audience())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.HMAC_SHA256, AlgorithmIdentifiers.RSA_USING_SHA256,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setVerificationKeyResolver(new Resolver())
                .build();
    }

    /** The principal of a valid token. */
    public Principal verify(String token) throws Rejected {
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            throw rejected(e);
        }
        try {
            // sub is the identity of per-subject limits and of the audit log: a present but empty one is none.
            if (claims.getSubject() == null || claims.getSubject().isBlank()) {
                throw new Rejected("missing-claims", "Token needs exp and sub");
            }
            return new Principal(Principal.Kind.TOKEN, claims.getSubject(), patterns(claims, SUBSCRIBE_CLAIM),
                    patterns(claims, PUBLISH_CLAIM), Instant.ofEpochSecond(claims.getExpirationTime().getValue()),
                    null, info(claims));
        } catch (MalformedClaimException e) {
            throw new Rejected("malformed-claims", "Token claims are malformed");
        }
    }

    /** The {@code quiver.info} claim as compact JSON: an object, at most {@link Principal#MAX_INFO} bytes. */
    private static String info(JwtClaims claims) throws Rejected {
        Object value = claims.getClaimValue(INFO_CLAIM);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> object)) {
            throw new Rejected("malformed-claims", "Claim " + INFO_CLAIM + " is a JSON object");
        }
        @SuppressWarnings("unchecked")
        String json = JsonUtil.toJson((Map<String, ?>) object);
        if (json.getBytes(StandardCharsets.UTF_8).length > Principal.MAX_INFO) {
            throw new Rejected("malformed-claims",
                    "Claim " + INFO_CLAIM + " takes at most " + Principal.MAX_INFO + " bytes of JSON");
        }
        return json;
    }

    /** A list of globs, or one string of space-separated globs (the OAuth {@code scope} style). */
    private static TopicPatterns patterns(JwtClaims claims, String name) throws Rejected {
        Object value = claims.getClaimValue(name);
        if (value == null) {
            return TopicPatterns.none();
        }
        List<String> globs = new ArrayList<>();
        if (value instanceof String text) {
            globs.addAll(List.of(text.split("\\s+")));
        } else if (value instanceof Collection<?> list) {
            for (Object item : list) {
                if (!(item instanceof String glob)) {
                    throw new Rejected("malformed-claims", "Claim " + name + " lists topic patterns as strings");
                }
                globs.add(glob);
            }
        } else {
            throw new Rejected("malformed-claims", "Claim " + name + " is a list of topic patterns");
        }
        return TopicPatterns.of(globs);
    }

    private Rejected rejected(InvalidJwtException e) {
        if (e.hasExpired()) {
            return new Rejected("expired", "Token expired");
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return new Rejected("wrong-audience", "Token audience is not this service's");
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return new Rejected("wrong-issuer", "Token issuer is not trusted");
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            return new Rejected("not-yet-valid", "Token not valid yet");
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_TOO_FAR_IN_FUTURE)) {
            return new Rejected("lifetime-too-long", "Token lifetime exceeds the allowed maximum");
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING) || e.hasErrorCode(ErrorCodes.SUBJECT_MISSING)) {
            return new Rejected("missing-claims", "Token needs exp and sub");
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return new Rejected("bad-signature", "Token signature is invalid");
        }
        Throwable cause = e.getCause();
        while (cause != null) {
            if (cause instanceof AlgorithmRefused || cause instanceof InvalidAlgorithmException) {
                return new Rejected("algorithm-not-allowed", "Token algorithm is not allowed (HS256, RS256, ES256)");
            }
            if (cause instanceof UnresolvableKeyException) {
                return new Rejected("unknown-key", cause.getMessage());
            }
            cause = cause.getCause();
        }
        return new Rejected("invalid-token", "Token is invalid");
    }

    /** An algorithm outside the allowed three, refused before any key is looked up. */
    private static final class AlgorithmRefused extends UnresolvableKeyException {

        private static final long serialVersionUID = 1L;

        AlgorithmRefused() {
            super("Token algorithm is not allowed (HS256, RS256, ES256)");
        }
    }

    /** Picks the verification key by algorithm family, then by key id. */
    private final class Resolver implements VerificationKeyResolver {

        @Override
        public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nesting) throws UnresolvableKeyException {
            String alg = jws.getAlgorithmHeaderValue();
            // jose4j asks for the key before it applies the algorithm constraints: refuse here, so that an algorithm
            // we never accept cannot trigger a JWKS refresh through an unknown key id.
            if (!ALLOWED.contains(alg)) {
                throw new AlgorithmRefused();
            }
            if (AlgorithmIdentifiers.HMAC_SHA256.equals(alg)) {
                if (store.hmacKey() == null) {
                    throw new UnresolvableKeyException("HS256 tokens are not accepted here");
                }
                return store.hmacKey();
            }
            boolean rsa = AlgorithmIdentifiers.RSA_USING_SHA256.equals(alg);
            String kid = jws.getKeyIdHeaderValue();
            PublicJsonWebKey only = null;
            int candidates = 0;
            for (PublicJsonWebKey key : store.jwks()) {
                if ((key instanceof RsaJsonWebKey) != rsa) {
                    continue;
                }
                if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
                    continue;
                }
                if (kid != null && kid.equals(key.getKeyId())) {
                    return key.getPublicKey();
                }
                candidates++;
                only = key;
            }
            if (kid == null && candidates == 1) {
                return only.getPublicKey();
            }
            store.unknownKeyId();
            throw new UnresolvableKeyException(kid == null
                    ? "Token names no key id and no single " + alg + " key is known"
                    : "Token signing key is unknown");
        }
    }
}
