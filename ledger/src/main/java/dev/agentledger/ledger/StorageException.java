package dev.agentledger.ledger;

/**
 * The log's storage failed (an I/O error, a full disk, a corrupted or inconsistent store). Never
 * the caller's fault; nothing half-written is ever acknowledged when it is thrown.
 */
public final class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A storage failure with a message saying what could not be done. */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A storage failure found by a check rather than thrown by the store. */
    public StorageException(String message) {
        super(message);
    }
}
