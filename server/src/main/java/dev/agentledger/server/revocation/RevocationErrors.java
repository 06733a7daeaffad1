package dev.agentledger.server.revocation;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.agentledger.ledger.InvalidEntryException;
import dev.agentledger.ledger.LedgerUnavailableException;
import dev.agentledger.ledger.StorageException;
import dev.agentledger.revocation.InvalidRevocationException;
import dev.agentledger.server.auth.ForbiddenException;
import dev.agentledger.server.grpc.UnauthenticatedException;
import dev.agentledger.server.log.InvalidRequestException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The one place the revocation APIs turn exceptions into gRPC and HTTP status, by type (the codes
 * documented in {@code revocation_service.proto}): bad request 400 / INVALID_ARGUMENT, no client
 * certificate 401 / UNAUTHENTICATED, wrong role 403 / PERMISSION_DENIED, log unavailable 503 /
 * UNAVAILABLE. Anything unexpected is 500 / INTERNAL with no detail sent, and logged.
 */
final class RevocationErrors {
    private static final System.Logger LOG = System.getLogger(RevocationErrors.class.getName());

    /** An HTTP status and the message to send. */
    record HttpError(int status, String message) {}

    private RevocationErrors() {}

    static StatusRuntimeException grpc(Throwable e) {
        if (e instanceof StatusRuntimeException already) {
            return already;
        }
        HttpError error = http(e);
        Status status = switch (error.status()) {
            case 400 -> Status.INVALID_ARGUMENT;
            case 401 -> Status.UNAUTHENTICATED;
            case 403 -> Status.PERMISSION_DENIED;
            case 503 -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
        return status.withDescription(error.message()).asRuntimeException();
    }

    static HttpError http(Throwable e) {
        return switch (e) {
            case UnauthenticatedException u -> new HttpError(401, u.getMessage());
            case ForbiddenException f -> new HttpError(403, f.getMessage());
            case InvalidRevocationException i -> new HttpError(400, i.getMessage());
            case InvalidRequestException i -> new HttpError(400, i.getMessage());
            case InvalidEntryException i -> new HttpError(400, i.getMessage());
            case InvalidProtocolBufferException i -> new HttpError(400, "malformed request: " + i.getMessage());
            // Helidon's own refusals while reading the request (a body over the listener's limit: 413).
            case io.helidon.http.HttpException h when h.status().code() < 500 -> new HttpError(h.status().code(), h.getMessage());
            case IllegalArgumentException i -> new HttpError(400, i.getMessage());
            case LedgerUnavailableException l -> new HttpError(503, l.getMessage()
                    + " (the revocation may or may not be logged: watch the feed to find out)");
            case StorageException s -> {
                LOG.log(System.Logger.Level.ERROR, "storage failure in revocation", s);
                yield new HttpError(503, "the log cannot be read or written now; retry later");
            }
            default -> {
                LOG.log(System.Logger.Level.ERROR, "unexpected failure in revocation", e);
                yield new HttpError(500, "internal error");
            }
        };
    }
}
