package dev.agentledger.verifierclient.tokens;

import dev.agentledger.merkle.VerificationException;
import java.util.Objects;

/**
 * A delegation chain or capability token failed verification. {@link #reason()} is a stable code
 * for mapping to protocol errors; the message says what was wrong in got/want form.
 */
public final class TokenException extends VerificationException {
    private static final long serialVersionUID = 1L;

    /** Why a token was refused. The names are stable: callers map them to protocol error codes. */
    public enum Reason {
        /** Not a compact JWS, not canonical base64url, not JSON, or a claim of the wrong type. */
        MALFORMED,
        /** The token or chain is larger than the limit. */
        OVERSIZE,
        /** {@code alg} is not {@code ES256} ({@code none}, HMAC, EdDSA and all others are refused). */
        ALGORITHM,
        /** {@code typ} is not the one of the expected token type. */
        TYPE,
        /** The header has a parameter other than {@code alg}, {@code kid} and {@code typ} (e.g. {@code crit}, {@code jwk}, {@code jku}, {@code x5u}, {@code x5c}). */
        HEADER,
        /** {@code kid} names no access-token key. */
        UNKNOWN_KEY,
        /** The ES256 signature does not verify. */
        SIGNATURE,
        /** {@code iss} is not the expected authority. */
        ISSUER,
        /** {@code aud} is not the expected audience. */
        AUDIENCE,
        /** The token has expired (beyond the clock skew). */
        EXPIRED,
        /** The token is not valid yet (beyond the clock skew). */
        NOT_YET_VALID,
        /** The token's lifetime is longer than its type allows. */
        LIFETIME,
        /** A hop grants an action pattern its parent does not cover. */
        WIDENED_SCOPE,
        /** A hop grants a resource pattern its parent does not cover. */
        WIDENED_RESOURCES,
        /** A hop's validity window is not inside its parent's. */
        WIDENED_TIME,
        /** A hop's remaining depth is not below its parent's, or the chain is longer than allowed. */
        DEPTH,
        /** The hops do not link: parent id, user or {@code act} nesting do not match. */
        CHAIN,
        /** The action asked for is not the one (or not covered by the ones) granted. */
        ACTION,
        /** The resource asked for is not the one (or not covered by the ones) granted. */
        RESOURCE,
        /** The presented certificate is not the one the token is bound to ({@code cnf} {@code x5t#S256}). */
        CONFIRMATION
    }

    private final Reason reason;

    /** A refusal for {@code reason}, explained by {@code message}. */
    public TokenException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** A refusal for {@code reason}, caused by a library's rejection. */
    public TokenException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the token was refused. */
    public Reason reason() {
        return reason;
    }
}
