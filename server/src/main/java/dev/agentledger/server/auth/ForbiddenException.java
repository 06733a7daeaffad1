package dev.agentledger.server.auth;

/** An authenticated caller does not hold a role that allows what it asked (HTTP 403, gRPC PERMISSION_DENIED). */
public final class ForbiddenException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A refusal explained by {@code message}. */
    public ForbiddenException(String message) {
        super(message);
    }
}
