package dev.agentledger.server.issuance;

import dev.agentledger.issuer.IssuanceException;
import io.grpc.Status;

/**
 * The one mapping of the issuer's refusal reasons to protocol status: a gRPC code here, and the
 * HTTP status the public and private HTTP APIs derive from it.
 */
public final class IssuanceFailures {
    private IssuanceFailures() {}

    /** The gRPC status code for {@code reason}. */
    public static Status.Code code(IssuanceException.Reason reason) {
        return switch (reason) {
            case MALFORMED_CSR, CSR_TOO_LARGE, BAD_CSR_SIGNATURE, UNSUPPORTED_KEY, CA_REQUESTED, INVALID_TTL,
                    INVALID_AUDIENCE -> Status.Code.INVALID_ARGUMENT;
            case AUTHORITY_EXPIRED, REGISTRATION_EXPIRED -> Status.Code.FAILED_PRECONDITION;
            case NOT_LOGGED -> Status.Code.UNAVAILABLE;
            case ALREADY_REGISTERED, TOKEN_USED -> Status.Code.ALREADY_EXISTS;
            case TOKEN_EXPIRED -> Status.Code.FAILED_PRECONDITION;
            case NOT_REGISTERED -> Status.Code.NOT_FOUND;
            case NOT_PERMITTED, JOIN_TOKEN_INVALID, JOIN_TOKEN_USED, JOIN_TOKEN_EXPIRED, WIDENING_REFUSED -> Status.Code.PERMISSION_DENIED;
            case INVALID_DELEGATION, INVALID_SUBJECT_TOKEN -> Status.Code.INVALID_ARGUMENT;
        };
    }

    /** The HTTP status for {@code reason}. */
    public static int httpStatus(IssuanceException.Reason reason) {
        return switch (code(reason)) {
            case INVALID_ARGUMENT -> 400;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS -> 409;
            case FAILED_PRECONDITION -> 412;
            case UNAVAILABLE -> 503;
            default -> 500;
        };
    }
}
