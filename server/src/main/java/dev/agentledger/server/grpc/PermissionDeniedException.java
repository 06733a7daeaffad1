package dev.agentledger.server.grpc;

/** The caller is authenticated but may not do what it asked. */
public final class PermissionDeniedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Denied, for the reason given. */
    public PermissionDeniedException(String message) {
        super(message);
    }
}
