package dev.agentledger.ledger;

/** The entry itself is unacceptable (empty, oversize, malformed); the log is unchanged. */
public final class InvalidEntryException extends LedgerException {
    private static final long serialVersionUID = 1L;

    /** An entry refused for the reason given. */
    public InvalidEntryException(String message) {
        super(message, null);
    }

    /** An entry refused because a parser rejected it. */
    public InvalidEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
