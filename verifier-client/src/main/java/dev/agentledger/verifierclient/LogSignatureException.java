package dev.agentledger.verifierclient;

import dev.agentledger.merkle.VerificationException;

/**
 * A checkpoint note carries no valid signature by the log's key: none by that key at all, or one
 * that does not verify (c2sp.org/signed-note, section "Signatures"). Nothing in the note is trusted.
 */
public final class LogSignatureException extends VerificationException {
    private static final long serialVersionUID = 1L;

    /** The note failed the log's signature check for {@code cause}'s reason. */
    public LogSignatureException(String logKey, VerificationException cause) {
        super("no valid signature by the log key " + logKey + ": " + cause.getMessage(), cause);
    }
}
