package dev.agentledger.server.grpc;

/** The caller presented no usable identity (no client certificate, or not exactly one SPIFFE ID in it). */
public final class UnauthenticatedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Unauthenticated, for the reason given. */
    public UnauthenticatedException(String message) {
        super(message);
    }
}
