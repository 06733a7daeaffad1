package dev.agentledger.issuer;

import java.util.Objects;

/**
 * A credential was not issued: the request was refused, or the log did not take the entry. In
 * either case nothing was returned and no credential exists outside the issuer.
 */
public final class IssuanceException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why issuance failed; stable names, for mapping to protocol error codes in one place. */
    public enum Reason {
        /** The CSR is not a DER PKCS#10 request (garbage, truncated, trailing bytes). */
        MALFORMED_CSR,
        /** The CSR is larger than {@link Issuer#MAX_CSR_BYTES}. */
        CSR_TOO_LARGE,
        /** The CSR's self-signature does not verify with its key (no proof of possession). */
        BAD_CSR_SIGNATURE,
        /** The key or signature algorithm is not ECDSA P-256 with SHA-256. */
        UNSUPPORTED_KEY,
        /** The CSR asks for CA powers (basicConstraints cA=true, keyCertSign or cRLSign). */
        CA_REQUESTED,
        /** The requested lifetime is outside the allowed range. */
        INVALID_TTL,
        /** The audience is missing, empty or malformed. */
        INVALID_AUDIENCE,
        /** The signing key cannot sign any more (expired). */
        AUTHORITY_EXPIRED,
        /** The log did not append the entry, so the credential was discarded. */
        NOT_LOGGED,
        /** The SPIFFE ID asked for is already registered (or has other entries in the log). */
        ALREADY_REGISTERED,
        /** The SPIFFE ID is not a registered workload. */
        NOT_REGISTERED,
        /** The workload's registration has expired. */
        REGISTRATION_EXPIRED,
        /** The caller may not obtain credentials for that workload. */
        NOT_PERMITTED,
        /** The join token is malformed, unknown, or its secret does not match. */
        JOIN_TOKEN_INVALID,
        /** The join token was already used. */
        JOIN_TOKEN_USED,
        /** The join token expired unused. */
        JOIN_TOKEN_EXPIRED,
        /** A single-use token was already consumed. */
        TOKEN_USED,
        /** The token has expired. */
        TOKEN_EXPIRED,
        /** A delegation request is malformed: a bad pattern, delegate, depth or lifetime. */
        INVALID_DELEGATION,
        /** A sub-delegation asks for more than its parent grants (scope, resources, time or depth). */
        WIDENING_REFUSED,
        /** The presented delegation chain does not verify. */
        INVALID_SUBJECT_TOKEN
    }

    private final Reason reason;

    /** A failure for {@code reason}, explained by {@code message}. */
    public IssuanceException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** A failure for {@code reason} caused by {@code cause}. */
    public IssuanceException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why issuance failed. */
    public Reason reason() {
        return reason;
    }
}
