package dev.agentledger.verifierclient.guard;

import java.util.Objects;

/**
 * A tool call was refused; {@link #reason()} says which check failed and {@link #httpStatus()}
 * how to answer (RFC 6750: 401 for missing or invalid credentials, 403 for valid credentials that
 * do not allow this call, 503 when the tool cannot know, e.g. a stale revocation feed).
 */
public final class AccessDeniedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which check refused the call. */
    public enum Reason {
        /** No client certificate on the connection. */
        NO_CLIENT_CERTIFICATE(401),
        /** The client certificate is not a valid X509-SVID of the trust domain. */
        INVALID_SVID(401),
        /** No {@code Authorization: Bearer} capability token. */
        NO_TOKEN(401),
        /** The token is malformed, forged, expired or for another audience. */
        INVALID_TOKEN(401),
        /** The token does not allow this action on this resource. */
        INSUFFICIENT_SCOPE(403),
        /** The token is bound to another certificate, or names another subject than the SVID. */
        WRONG_HOLDER(403),
        /** The SVID, token, delegation, agent or user is revoked. */
        REVOKED(403),
        /** The token was already used. */
        REPLAYED(403),
        /** The token's issuance is not proven to be in the log. */
        NOT_LOGGED(403),
        /** The action needs a human approval the token's issuance does not cite. */
        NEEDS_APPROVAL(403),
        /** The tool cannot decide now (stale revocation feed, local state failure): retry later. */
        UNAVAILABLE(503);

        private final int httpStatus;

        Reason(int httpStatus) {
            this.httpStatus = httpStatus;
        }
    }

    private final Reason reason;

    /** A refusal for {@code reason}, explained by {@code message}. */
    public AccessDeniedException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** A refusal for {@code reason} caused by {@code cause}. */
    public AccessDeniedException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Which check refused. */
    public Reason reason() {
        return reason;
    }

    /** The HTTP status to answer with. */
    public int httpStatus() {
        return reason.httpStatus;
    }
}
