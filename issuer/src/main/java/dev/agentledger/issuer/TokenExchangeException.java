package dev.agentledger.issuer;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.verifierclient.tokens.TokenException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A token exchange was refused; nothing was issued. This is the one place where refusals become
 * OAuth errors: {@link Error} holds each error code with its HTTP status, the static factories
 * map the other failures (issuance, token verification, the policy gate) to codes, and
 * {@link #json()} is the error response body (RFC 6749 section 5.2).
 */
public final class TokenExchangeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The OAuth error codes of the token endpoint, with their HTTP status. */
    public enum Error {
        /** Malformed request, or an invalid subject or actor token (RFC 8693 section 2.2.2). */
        INVALID_REQUEST("invalid_request", 400),
        /** The caller is not authenticated by a client certificate (RFC 6749 section 5.2, RFC 8705). */
        INVALID_CLIENT("invalid_client", 401),
        /** The authenticated caller may not use this subject token: it is not the delegate. */
        UNAUTHORIZED_CLIENT("unauthorized_client", 400),
        /** {@code grant_type} is not token exchange. */
        UNSUPPORTED_GRANT_TYPE("unsupported_grant_type", 400),
        /** {@code scope} is not one action, or one the delegation does not grant. */
        INVALID_SCOPE("invalid_scope", 400),
        /** {@code resource} (or {@code audience}) is not one acceptable tool (RFC 8693 section 2.2.2, RFC 8707 section 2). */
        INVALID_TARGET("invalid_target", 400),
        /** {@code authorization_details} is malformed (RFC 9396 section 5). */
        INVALID_AUTHORIZATION_DETAILS("invalid_authorization_details", 400),
        /** The policy gate denied the action. */
        ACCESS_DENIED("access_denied", 403),
        /** A human must approve first; retry with the {@code approval_id} given (code as in RFC 8628 section 3.5). */
        AUTHORIZATION_PENDING("authorization_pending", 400),
        /** The log did not take the entry, so nothing was issued; retry later. */
        TEMPORARILY_UNAVAILABLE("temporarily_unavailable", 503),
        /** The authority cannot sign (its key expired). */
        SERVER_ERROR("server_error", 500);

        private final String code;
        private final int status;

        Error(String code, int status) {
            this.code = code;
            this.status = status;
        }

        /** The {@code error} value. */
        public String code() {
            return code;
        }

        /** The HTTP status of the response. */
        public int status() {
            return status;
        }
    }

    private final Error error;
    private final Optional<String> approvalId;

    /** A refusal with {@code error}, explained by {@code description} (made ASCII-safe in the body). */
    public TokenExchangeException(Error error, String description) {
        this(error, description, Optional.empty(), null);
    }

    private TokenExchangeException(Error error, String description, Optional<String> approvalId, Throwable cause) {
        super(error.code() + ": " + description, cause);
        this.error = Objects.requireNonNull(error, "error");
        this.approvalId = approvalId;
    }

    /** The error a failed issuance step maps to: an unlogged entry is retryable, an expired key a server error. */
    static TokenExchangeException of(IssuanceException e) {
        Error error = switch (e.reason()) {
            case NOT_LOGGED -> Error.TEMPORARILY_UNAVAILABLE;
            case AUTHORITY_EXPIRED -> Error.SERVER_ERROR;
            default -> Error.INVALID_REQUEST;
        };
        return new TokenExchangeException(error, e.getMessage(), Optional.empty(), e);
    }

    /**
     * The error of a subject token that failed: an action or resource outside the delegation is
     * {@code invalid_scope} or {@code invalid_target}; any other failure makes the token invalid,
     * which RFC 8693 section 2.2.2 says is {@code invalid_request}.
     */
    static TokenExchangeException ofSubjectToken(TokenException e) {
        Error error = switch (e.reason()) {
            case ACTION -> Error.INVALID_SCOPE;
            case RESOURCE -> Error.INVALID_TARGET;
            default -> Error.INVALID_REQUEST;
        };
        return new TokenExchangeException(error, "subject_token: " + e.getMessage(), Optional.empty(), e);
    }

    /** The error of a verdict that is not allow: denied, or pending the named approval. */
    static TokenExchangeException ofVerdict(Verdict verdict) {
        if (verdict.outcome() == Verdict.Outcome.NEEDS_APPROVAL) {
            return new TokenExchangeException(Error.AUTHORIZATION_PENDING, "a human must approve this action first; retry with approval_id "
                    + verdict.approvalId().orElseThrow(), verdict.approvalId(), null);
        }
        return new TokenExchangeException(Error.ACCESS_DENIED, "the policy denied the action: " + String.join(", ", verdict.reasons()));
    }

    /** The OAuth error code. */
    public Error error() {
        return error;
    }

    /** For {@link Error#AUTHORIZATION_PENDING}, the approval to retry with. */
    public Optional<String> approvalId() {
        return approvalId;
    }

    /** The HTTP status of the error response. */
    public int httpStatus() {
        return error.status();
    }

    /**
     * The error response body: {@code error}, {@code error_description} (characters outside the
     * set RFC 6749 section 5.2 allows replaced by {@code '}), and {@code approval_id} when pending.
     * Send it as {@code application/json} with {@code Cache-Control: no-store}.
     */
    public String json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.code());
        String message = getMessage().substring(error.code().length() + 2);
        StringBuilder description = new StringBuilder();
        message.chars().forEach(c -> description.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? (char) c : '\''));
        body.put("error_description", description.toString());
        approvalId.ifPresent(id -> body.put("approval_id", id));
        return JSONObjectUtils.toJSONString(body);
    }
}
