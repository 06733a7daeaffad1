package dev.agentledger.server.proxy;

import dev.agentledger.verifierclient.guard.AccessDeniedException;
import dev.agentledger.verifierclient.tokens.TokenException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The proxy refused a call; {@link #reason()} is the stable code written in the JSON error body
 * and in the call's {@code ToolCallRecorded} entry, with the HTTP status to answer.
 */
final class CallRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a call was refused: its code in answers and in the log, and its HTTP status. */
    enum Reason {
        /** No client certificate on the connection. */
        MISSING_CERTIFICATE("missing_certificate", 401),
        /** The client certificate is not a valid X509-SVID of the trust domain. */
        INVALID_CERTIFICATE("invalid_certificate", 401),
        /** No {@code Authorization: Bearer} capability token. */
        MISSING_TOKEN("missing_token", 401),
        /** The token is for another upstream ({@code aud}). */
        WRONG_AUDIENCE("wrong_audience", 401),
        /** The token has expired. */
        EXPIRED("expired", 401),
        /** The token is malformed, forged or otherwise invalid. */
        INVALID_TOKEN("invalid_token", 401),
        /** The token does not grant the action or resource the route performs. */
        INSUFFICIENT_SCOPE("insufficient_scope", 403),
        /** The token is bound to another certificate or names another subject. */
        WRONG_HOLDER("wrong_holder", 403),
        /** Something the call rests on is revoked. */
        REVOKED("revoked", 403),
        /** The route needs a human approval and the token's logged issuance cites none. */
        NEEDS_APPROVAL("needs_approval", 403),
        /** The token was used before. */
        REPLAYED("replayed", 403),
        /** The token's issuance is not proven to be logged. */
        NOT_LOGGED("not_logged", 403),
        /** The method and path are not mapped to an action of this upstream. */
        NOT_MAPPED("not_mapped", 403),
        /** No upstream is served under this path. */
        NO_UPSTREAM("no_upstream", 404),
        /** The path is not a plain path ({@code .} or {@code ..} segments, encoded slashes). */
        INVALID_PATH("invalid_path", 400),
        /** The request body cannot be read. */
        INVALID_REQUEST("invalid_request", 400),
        /** The request body is larger than the proxy forwards. */
        BODY_TOO_LARGE("body_too_large", 413),
        /** The caller's rate limit is exhausted. */
        RATE_LIMITED("rate_limited", 429),
        /** The caller's quota is exhausted. */
        QUOTA_EXCEEDED("quota_exceeded", 429),
        /** The proxy cannot decide now (stale revocation feed, authority unreachable): retry later. */
        UNAVAILABLE("unavailable", 503),
        /** The upstream did not answer. */
        UPSTREAM_FAILED("upstream_failed", 502);

        private final String code;
        private final int status;

        Reason(String code, int status) {
            this.code = code;
            this.status = status;
        }

        /** The code in answers and log entries. */
        String code() {
            return code;
        }

        /** The HTTP status. */
        int status() {
            return status;
        }
    }

    private final Reason reason;
    private final Optional<Duration> retryAfter;

    CallRefusedException(Reason reason, String message) {
        this(reason, message, Optional.empty(), null);
    }

    CallRefusedException(Reason reason, String message, Optional<Duration> retryAfter, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.retryAfter = retryAfter;
    }

    /** The guard's refusal with its precise reason (the token check's own reason refines an invalid token). */
    static CallRefusedException of(AccessDeniedException denied) {
        Reason reason = switch (denied.reason()) {
            case NO_CLIENT_CERTIFICATE -> Reason.MISSING_CERTIFICATE;
            case INVALID_SVID -> Reason.INVALID_CERTIFICATE;
            case NO_TOKEN -> Reason.MISSING_TOKEN;
            case INVALID_TOKEN -> denied.getCause() instanceof TokenException token ? switch (token.reason()) {
                case AUDIENCE -> Reason.WRONG_AUDIENCE;
                case EXPIRED -> Reason.EXPIRED;
                default -> Reason.INVALID_TOKEN;
            } : Reason.INVALID_TOKEN;
            case INSUFFICIENT_SCOPE -> Reason.INSUFFICIENT_SCOPE;
            case WRONG_HOLDER -> Reason.WRONG_HOLDER;
            case REVOKED -> Reason.REVOKED;
            case REPLAYED -> Reason.REPLAYED;
            case NOT_LOGGED -> Reason.NOT_LOGGED;
            case NEEDS_APPROVAL -> Reason.NEEDS_APPROVAL;
            case UNAVAILABLE -> Reason.UNAVAILABLE;
        };
        String message = denied.getMessage();
        String prefix = denied.reason() + ": ";
        return new CallRefusedException(reason, message.startsWith(prefix) ? message.substring(prefix.length()) : message,
                Optional.empty(), denied);
    }

    /** Which check refused. */
    Reason reason() {
        return reason;
    }

    /** When to retry, for rate limits and quotas. */
    Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
