package dev.agentledger.merkle.note;

import dev.agentledger.merkle.VerificationException;

/**
 * A note does not follow c2sp.org/signed-note, section "Format", or exceeds this package's limits
 * ({@link Notes#MAX_NOTE_SIZE}, {@link Notes#MAX_SIGNATURES}). No signature was trusted.
 */
public final class MalformedNoteException extends VerificationException {
    private static final long serialVersionUID = 1L;

    /** A note that failed to parse, for the reason given. */
    public MalformedNoteException(String reason) {
        super("malformed note: " + reason);
    }
}
