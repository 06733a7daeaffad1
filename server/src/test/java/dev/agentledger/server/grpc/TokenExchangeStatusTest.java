package dev.agentledger.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentledger.issuer.TokenExchangeException;
import dev.agentledger.issuer.TokenExchangeException.Error;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every OAuth error of the token exchange has the gRPC status documented in {@code issuer_service.proto}. */
class TokenExchangeStatusTest {
    @ParameterizedTest
    @CsvSource({
        "INVALID_REQUEST, INVALID_ARGUMENT",
        "INVALID_CLIENT, UNAUTHENTICATED",
        "UNAUTHORIZED_CLIENT, PERMISSION_DENIED",
        "UNSUPPORTED_GRANT_TYPE, INVALID_ARGUMENT",
        "INVALID_SCOPE, INVALID_ARGUMENT",
        "INVALID_TARGET, INVALID_ARGUMENT",
        "INVALID_AUTHORIZATION_DETAILS, INVALID_ARGUMENT",
        "ACCESS_DENIED, PERMISSION_DENIED",
        "AUTHORIZATION_PENDING, FAILED_PRECONDITION",
        "TEMPORARILY_UNAVAILABLE, UNAVAILABLE",
        "SERVER_ERROR, INTERNAL",
    })
    void eachErrorHasItsStatus(Error error, Status.Code code) {
        StatusRuntimeException status = GrpcErrors.toStatus(new TokenExchangeException(error, "why"));
        assertEquals(code, status.getStatus().getCode());
        assertEquals(error.code() + ": why", status.getStatus().getDescription());
    }
}
