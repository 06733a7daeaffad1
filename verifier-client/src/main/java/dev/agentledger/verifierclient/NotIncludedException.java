package dev.agentledger.verifierclient;

import dev.agentledger.merkle.VerificationException;

/**
 * An inclusion proof does not show the entry at the claimed index of the checkpoint's tree: the
 * proof is for another index or tree size, has the wrong length, or leads to another root (RFC 9162
 * section 2.1.3.2).
 */
public final class NotIncludedException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final long index;

    /** Entry {@code index} is not proven, for the reason given. */
    public NotIncludedException(long index, String reason, Throwable cause) {
        super("entry " + index + " is not proven included: " + reason, cause);
        this.index = index;
    }

    /** The index the entry was claimed to have. */
    public long index() {
        return index;
    }
}
