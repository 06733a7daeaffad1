package dev.agentledger.ledger;

/**
 * The log could not take the entry now: its storage failed, it is overloaded, or it is closed.
 * The entry was not acknowledged; it may be retried (appending with deduplication makes a retry
 * safe).
 */
public final class LedgerUnavailableException extends LedgerException {
    private static final long serialVersionUID = 1L;

    /** The log was unavailable for the reason given. */
    public LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
