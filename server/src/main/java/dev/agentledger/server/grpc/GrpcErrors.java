package dev.agentledger.server.grpc;

import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.TokenExchangeException;
import dev.agentledger.server.auth.ForbiddenException;
import dev.agentledger.server.issuance.IssuanceFailures;
import dev.agentledger.ledger.InvalidEntryException;
import dev.agentledger.ledger.LedgerUnavailableException;
import dev.agentledger.ledger.StorageException;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.server.log.InvalidRequestException;
import dev.agentledger.server.log.NotFoundException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place the private API turns exceptions into gRPC status, by type (the codes documented
 * in {@code ledger_service.proto}). Anything unexpected is INTERNAL with no detail sent to the
 * caller, and logged.
 */
final class GrpcErrors {
    private static final System.Logger LOG = System.getLogger(GrpcErrors.class.getName());

    private GrpcErrors() {}

    /** The status for {@code error}, unwrapping future wrappers first. */
    static StatusRuntimeException toStatus(Throwable error) {
        Throwable e = unwrap(error);
        Status status = switch (e) {
            case StatusRuntimeException already -> already.getStatus();
            case UnauthenticatedException u -> Status.UNAUTHENTICATED.withDescription(u.getMessage());
            case PermissionDeniedException p -> Status.PERMISSION_DENIED.withDescription(p.getMessage());
            case ForbiddenException f -> Status.PERMISSION_DENIED.withDescription(f.getMessage());
            case IssuanceException i -> Status.fromCode(IssuanceFailures.code(i.reason())).withDescription(i.getMessage());
            case TokenExchangeException t when t.error() == TokenExchangeException.Error.SERVER_ERROR -> {
                LOG.log(System.Logger.Level.ERROR, "token exchange failed on the server's side", t);
                yield Status.INTERNAL.withDescription(description(t));
            }
            case TokenExchangeException t -> Status.fromCode(code(t.error())).withDescription(description(t));
            case MalformedEntryException m -> Status.INVALID_ARGUMENT.withDescription(m.getMessage());
            case InvalidEntryException i -> Status.INVALID_ARGUMENT.withDescription(i.getMessage());
            case InvalidRequestException i -> Status.INVALID_ARGUMENT.withDescription(i.getMessage());
            case IllegalArgumentException i -> Status.INVALID_ARGUMENT.withDescription(i.getMessage());
            case NotFoundException n -> Status.NOT_FOUND.withDescription(n.getMessage());
            case LedgerUnavailableException l -> Status.UNAVAILABLE.withDescription(l.getMessage());
            case StorageException s -> {
                LOG.log(System.Logger.Level.ERROR, "storage failure", s);
                yield Status.UNAVAILABLE.withDescription("the log cannot be read or written now; retry later");
            }
            default -> {
                LOG.log(System.Logger.Level.ERROR, "unexpected failure", e);
                yield Status.INTERNAL.withDescription("internal error");
            }
        };
        return status.asRuntimeException();
    }

    /** The status of an OAuth error of the token exchange (documented in {@code issuer_service.proto}). */
    private static Status.Code code(TokenExchangeException.Error error) {
        return switch (error) {
            case INVALID_REQUEST, INVALID_SCOPE, INVALID_TARGET, UNSUPPORTED_GRANT_TYPE, INVALID_AUTHORIZATION_DETAILS ->
                    Status.Code.INVALID_ARGUMENT;
            case INVALID_CLIENT -> Status.Code.UNAUTHENTICATED;
            case UNAUTHORIZED_CLIENT, ACCESS_DENIED -> Status.Code.PERMISSION_DENIED;
            case AUTHORIZATION_PENDING -> Status.Code.FAILED_PRECONDITION;
            case TEMPORARILY_UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case SERVER_ERROR -> Status.Code.INTERNAL;
        };
    }

    /** The OAuth code and description, naming the approval to retry with when one is pending. */
    private static String description(TokenExchangeException e) {
        String message = e.getMessage();
        return e.approvalId().filter(id -> !message.contains("approval_id " + id))
                .map(id -> message + " (approval_id " + id + ")").orElse(message);
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
