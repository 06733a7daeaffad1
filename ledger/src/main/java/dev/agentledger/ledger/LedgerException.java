package dev.agentledger.ledger;

/** Why the log did not append: the base of the failures an append's future can complete with. */
public abstract sealed class LedgerException extends Exception
        permits InvalidEntryException, LedgerUnavailableException {
    private static final long serialVersionUID = 1L;

    LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
