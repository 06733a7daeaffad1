package dev.agentledger.revocation;

/** A revocation request or subscription is unacceptable (bad target, reason or sequence); nothing was logged. */
public final class InvalidRevocationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Refused for the reason given. */
    public InvalidRevocationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Refused for the reason given. */
    public InvalidRevocationException(String message) {
        super(message);
    }
}
