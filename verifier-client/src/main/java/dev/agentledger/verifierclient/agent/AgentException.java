package dev.agentledger.verifierclient.agent;

/**
 * An agent could not obtain, verify or use its identity; {@link #reason()} says which step failed.
 */
public final class AgentException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The step that failed. */
    public enum Reason {
        /** The authority refused the join token or the renewal (its HTTP status and error are in the message). */
        REFUSED,
        /** The credential that arrived does not verify: not logged, wrong key, wrong ID, SPIFFE rules broken. */
        UNVERIFIED,
        /** The authority could not be reached, or answered something unreadable. */
        UNAVAILABLE,
        /** The agent's identity is revoked; it no longer uses it. */
        REVOKED,
        /** The agent was closed. */
        CLOSED
    }

    private final Reason reason;

    /** A failure at {@code reason}. */
    public AgentException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A failure at {@code reason} caused by {@code cause}. */
    public AgentException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The step that failed. */
    public Reason reason() {
        return reason;
    }
}
